package pilot.core.handshake;

import pilot.core.crypto.SigningKey;

/** Our node id (assigned by the registry) and our Ed25519 identity key. */
public record LocalIdentity(int node, SigningKey signingKey) {
    public LocalIdentity {
        if (signingKey == null) {
            throw new IllegalArgumentException("signing key required");
        }
    }

    public byte[] publicKey() {
        return signingKey.publicKey();
    }
}
