package pilot.core.crypto;

/** AES-256-GCM with one fixed key, 12-byte nonces and 16-byte tags. Not thread-safe: one per session. */
public interface Aead {
    /** Returns ciphertext ‖ tag for {@code len} plaintext bytes at {@code off}. */
    byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len);

    /**
     * Writes ciphertext ‖ tag for {@code len} plaintext bytes at {@code off} into {@code out} at
     * {@code outOff} (which must have {@code len + 16} bytes free) and returns the number written: the
     * envelope seals straight into its frame buffer. The default seals, then copies.
     */
    default int sealInto(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len, byte[] out, int outOff) {
        byte[] sealed = seal(nonce, aad, plaintext, off, len);
        System.arraycopy(sealed, 0, out, outOff, sealed.length);
        return sealed.length;
    }

    /** Returns the plaintext, or {@code null} when authentication fails. Never throws for bad input. */
    byte[] open(byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int off, int len);
}
