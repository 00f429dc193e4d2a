package pilot.core.crypto;

/** An Ed25519 private key with its public half precomputed. The seed never leaves the implementation. */
public interface SigningKey {
    /** The 32-byte RFC 8032 public key. */
    byte[] publicKey();

    /** A deterministic 64-byte RFC 8032 signature. */
    byte[] sign(byte[] message);
}
