package pilot.core.crypto;

/** AES-256-GCM with one fixed key, 12-byte nonces and 16-byte tags. Not thread-safe: one per session. */
public interface Aead {
    /** Returns ciphertext ‖ tag for {@code len} plaintext bytes at {@code off}. */
    byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len);

    /** Returns the plaintext, or {@code null} when authentication fails. Never throws for bad input. */
    byte[] open(byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int off, int len);
}
