package pilot.core.node;

import pilot.core.addr.Endpoint;

/**
 * What a node with deferred AEAD ({@link PilotNode#deferAead}) asks its host to do, in order
 * ({@link PilotNode#pollCrypto}). Keys cross once per session: {@link KeyInstall} before the first request
 * that uses it, {@link KeyDrop} once no session and no request needs it. Each {@link Seal} and {@link Open}
 * is answered once with {@link PilotNode#cryptoDone} and its {@code id}. Nonce and AAD composition stay in
 * the core; the host only runs AES-256-GCM (12-byte nonce, 16-byte tag). The arrays are the node's own: the
 * host reads them and must not keep or change them. Plain final classes, not records: a record's generated
 * equals/hashCode/toString would ship in pilot-core.wasm.
 */
public sealed interface CryptoRequest {
    /** Import the raw 32-byte AES-256 key of a session as {@code keyId}. */
    final class KeyInstall implements CryptoRequest {
        private final int keyId;
        private final byte[] key;

        KeyInstall(int keyId, byte[] key) {
            this.keyId = keyId;
            this.key = key;
        }

        public int keyId() {
            return keyId;
        }

        public byte[] key() {
            return key;
        }
    }

    /** Forget {@code keyId}: no session and no request of this node uses it any more. */
    final class KeyDrop implements CryptoRequest {
        private final int keyId;

        KeyDrop(int keyId) {
            this.keyId = keyId;
        }

        public int keyId() {
            return keyId;
        }
    }

    /**
     * Encrypt ({@link Seal}: answer ciphertext ‖ tag, {@code data.length + 16} bytes) or decrypt ({@link Open}:
     * {@code data} is ciphertext ‖ tag; answer the plaintext, or null when the tag fails) under {@code keyId}.
     */
    abstract sealed class Cipher implements CryptoRequest permits Seal, Open {
        private final int id;
        private final int keyId;
        private final byte[] nonce;
        private final byte[] aad;
        private final byte[] data;
        private final int hostRef;

        Cipher(int id, int keyId, byte[] nonce, byte[] aad, byte[] data, int hostRef) {
            this.id = id;
            this.keyId = keyId;
            this.nonce = nonce;
            this.aad = aad;
            this.data = data;
            this.hostRef = hostRef;
        }

        /**
         * Not 0 when the host keeps bytes of this request itself, under this reference: a sent datagram's payload
         * ({@link Seal}) or a received frame's ciphertext ‖ tag ({@link Open}); {@code data()} then holds zeros in
         * their place.
         */
        public int hostRef() {
            return hostRef;
        }

        public int id() {
            return id;
        }

        public int keyId() {
            return keyId;
        }

        public byte[] nonce() {
            return nonce;
        }

        public byte[] aad() {
            return aad;
        }

        /** The packet of a seal, ciphertext ‖ tag of an open; with {@link #hostRef} not 0, zeros where the host's bytes go. */
        public byte[] data() {
            return data;
        }
    }

    /** Encrypt the packet {@code data()}. */
    final class Seal extends Cipher {
        private final byte[] frame;

        /**
         * {@code hostRef} not 0: the host keeps this datagram's payload ({@link PilotNode#sendDatagram(pilot.core.addr.Address,
         * int, byte[], int, long)}); {@code packet} has zeros where it goes, and the host seals the packet's header
         * ({@link pilot.core.wire.PacketCodec#HEADER_SIZE} bytes) followed by the bytes it keeps.
         */
        Seal(int id, int keyId, byte[] nonce, byte[] aad, byte[] packet, byte[] frame, int hostRef) {
            super(id, keyId, nonce, aad, packet, hostRef);
            this.frame = frame;
        }

        /**
         * The frame this seal's answer completes, as it will leave through {@link PilotNode#pollTransmit} (the
         * same array): a host that keeps the ciphertext on its side recognises the datagram by it and sends the
         * frame's first {@link pilot.core.frame.SealedFrame#OVERHEAD} bytes followed by the ciphertext it holds,
         * so the ciphertext never crosses back (wasm-build {@code HeldSeals}). Read only.
         */
        public byte[] frame() {
            return frame;
        }
    }

    /** Decrypt ciphertext ‖ tag {@code data()}. */
    final class Open extends Cipher {
        /**
         * {@code hostRef} not 0: the host kept this frame's ciphertext itself ({@link PilotNode#handleDatagram(Endpoint,
         * byte[], byte[], int, long)}) and decrypts the bytes it kept under that reference. A failed answer must then give
         * the node those bytes first ({@link PilotNode#cryptoRestore}: a frame that fails under the current session is
         * asked again under the previous one, with its own bytes).
         */
        Open(int id, int keyId, byte[] nonce, byte[] aad, byte[] ciphertext, int hostRef) {
            super(id, keyId, nonce, aad, ciphertext, hostRef);
        }
    }
}
