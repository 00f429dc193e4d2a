package pilot.wasm;

import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SigningKey;

/**
 * An Ed25519 key the host holds as a KeyObject (imported once per seed, in the host's table bounded by
 * {@code PLATFORM_KEYS_MAX}, pilot-core.mjs: the same seed finds the same key, so a Worker signing its
 * registry messages with {@code ed25519Sign} adds no entries). Ed25519 is deterministic (RFC 8032), so the signatures are
 * Bouncy Castle's bytes. A key the host has evicted answers {@link PlatformAead#UNKNOWN_KEY} and is imported
 * again from the seed this object keeps; any other failure signs with {@code fallback}, or, without one
 * (the production module), gives 64 zero bytes, a signature every peer refuses.
 */
final class PlatformSigningKey implements SigningKey {
    private static final int SIGNATURE = 64;

    private final byte[] seed;
    private final byte[] publicKey;
    private final CryptoSuite fallback;
    private int handle;

    PlatformSigningKey(byte[] seed, byte[] publicKey, int handle, CryptoSuite fallback) {
        this.seed = seed.clone();
        this.publicKey = publicKey;
        this.handle = handle;
        this.fallback = fallback;
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (handle <= 0) {
                // evicted from the host's bounded table: import again (this overwrites the region)
                int k = PlatformSuite.put(seed);
                handle = k < 0 ? -1 : PlatformSuite.hostEdKey(k);
                if (handle <= 0) {
                    break;
                }
            }
            int at = Io.ensure(Math.max(message.length, SIGNATURE));
            if (at < 0) {
                break;
            }
            Io.write(0, message, 0, message.length);
            int n = PlatformSuite.hostEdSign(handle, at, message.length);
            if (n == SIGNATURE) {
                return PlatformSuite.take(SIGNATURE);
            }
            if (n != PlatformAead.UNKNOWN_KEY) {
                break;
            }
            handle = 0;
        }
        return fallback != null ? fallback.ed25519(seed).sign(message) : new byte[SIGNATURE];
    }
}
