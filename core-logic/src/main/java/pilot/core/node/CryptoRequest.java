package pilot.core.node;

/**
 * What a node with deferred AEAD ({@link PilotNode#deferAead}) asks its host to do, in order
 * ({@link PilotNode#pollCrypto}). Keys cross once per session: {@link KeyInstall} before the first request
 * that uses it, {@link KeyDrop} once no session and no request needs it. Each {@link Seal} and {@link Open}
 * is answered once with {@link PilotNode#cryptoDone} and its {@code id}. Nonce and AAD composition stay in
 * the core; the host only runs AES-256-GCM (12-byte nonce, 16-byte tag). The arrays are the node's own: the
 * host reads them and must not keep or change them.
 */
public sealed interface CryptoRequest {
    /** Import the raw 32-byte AES-256 key of a session as {@code keyId}. */
    record KeyInstall(int keyId, byte[] key) implements CryptoRequest {
    }

    /** Forget {@code keyId}: no session and no request of this node uses it any more. */
    record KeyDrop(int keyId) implements CryptoRequest {
    }

    /** Encrypt {@code packet} under {@code keyId}; answer ciphertext ‖ tag ({@code packet.length + 16} bytes). */
    record Seal(int id, int keyId, byte[] nonce, byte[] aad, byte[] packet) implements CryptoRequest {
    }

    /** Decrypt {@code ciphertext} (tag last) under {@code keyId}; answer the plaintext, or null when the tag fails. */
    record Open(int id, int keyId, byte[] nonce, byte[] aad, byte[] ciphertext) implements CryptoRequest {
    }
}
