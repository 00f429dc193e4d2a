package pilot.wasm;

import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SigningKey;

/**
 * Bouncy Castle for everything, and AES-256-GCM on the host ({@link PlatformAead}) when the host says it
 * provides the cipher ({@code platform}); otherwise Bouncy Castle's, so a Worker without
 * {@code nodejs_compat} still works, only slower. The one suite of its module: every crypto call goes
 * through it, so TeaVM does not inline Bouncy Castle into two callers.
 */
final class PlatformSuite implements CryptoSuite {
    private final CryptoSuite base;
    private final boolean platform;

    PlatformSuite(CryptoSuite base, boolean platform) {
        this.base = base;
        this.platform = platform;
    }

    /** True when sessions seal and open with the host's AES-GCM. */
    boolean platform() {
        return platform;
    }

    @Override
    public byte[] x25519PublicKey(byte[] privateKey) {
        return base.x25519PublicKey(privateKey);
    }

    @Override
    public byte[] x25519SharedSecret(byte[] privateKey, byte[] peerPublicKey) {
        return base.x25519SharedSecret(privateKey, peerPublicKey);
    }

    @Override
    public SigningKey ed25519(byte[] seed) {
        return base.ed25519(seed);
    }

    @Override
    public boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature) {
        return base.ed25519Verify(publicKey, message, signature);
    }

    @Override
    public Aead aes256Gcm(byte[] key) {
        if (!platform || key == null || key.length != 32) {
            return base.aes256Gcm(key); // throws exactly as Bouncy Castle's suite does
        }
        return new PlatformAead(key, base);
    }

    @Override
    public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        return base.hkdfSha256(ikm, salt, info, length);
    }

    @Override
    public byte[] sha256(byte[] data) {
        return base.sha256(data);
    }
}
