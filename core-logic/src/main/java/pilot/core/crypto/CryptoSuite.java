package pilot.core.crypto;

/**
 * The primitives Pilot needs (spec D, E): X25519, Ed25519, AES-256-GCM, HKDF-SHA256, SHA-256.
 * Injected, so the JVM host may use a JCE-backed suite while wasm uses Bouncy Castle; the vectors
 * prove they agree. Implementations never throw for malformed key or ciphertext input.
 */
public interface CryptoSuite {
    /** X25519(privateKey, 9): the public key of a 32-byte scalar (clamped inside). */
    byte[] x25519PublicKey(byte[] privateKey);

    /** X25519 shared secret, or {@code null} when it is all zero (low-order peer key) or the key is malformed. */
    byte[] x25519SharedSecret(byte[] privateKey, byte[] peerPublicKey);

    /** An Ed25519 signing key from a 32-byte RFC 8032 seed. */
    SigningKey ed25519(byte[] seed);

    /** Ed25519 verification; {@code false} for any malformed key or signature. */
    boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature);

    /** An AES-256-GCM instance bound to a 32-byte key. */
    Aead aes256Gcm(byte[] key);

    /** HKDF-SHA256 (RFC 5869); an empty or null salt means 32 zero bytes. */
    byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length);

    byte[] sha256(byte[] data);
}
