package pilot.wasm;

import org.bouncycastle.math.ec.rfc7748.X25519;
import org.teavm.interop.Import;
import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SigningKey;

/**
 * Every primitive of {@link CryptoSuite} on the host's {@code node:crypto} (native code), through the imports
 * below, except the X25519 shared secret: workerd's {@code node:crypto} has no {@code diffieHellman} (probed
 * in workerd 2026-04), and its WebCrypto X25519 is asynchronous, so that one primitive stays in Java
 * (Bouncy Castle's {@code X25519} ladder alone, without its key classes). Bytes cross through {@link Io}'s
 * region: Java writes the inputs there, makes one import call, and reads the output back from the same place.
 *
 * <p>{@code fallback}: the suite used when the host has no {@code node:crypto} or a call fails. The
 * production module ({@link NodeWasm}) passes null, so it carries no other implementation: pilot-core.mjs
 * refuses to instantiate it without {@code node:crypto} (a Worker needs {@code nodejs_compat}), and a
 * failing host call gives a refusal (a null secret, a false verification, an all-zero signature or
 * AEAD tag the peer refuses) instead of an exception. The conformance module passes Bouncy Castle, so
 * the vectors check both this suite and Bouncy Castle's.
 */
final class PlatformSuite implements CryptoSuite {
    private static final int KEY = 32;
    /** An import's answer when the host failed (or has no node:crypto). */
    static final int HOST_FAILED = -3;

    private final CryptoSuite fallback;
    private final boolean platform;

    PlatformSuite(CryptoSuite fallback, boolean platform) {
        this.fallback = fallback;
        this.platform = platform;
    }

    /** True when this suite runs on the host's node:crypto. */
    boolean platform() {
        return platform;
    }

    // ------------------------------------------------------------------ the host's functions (pilot-core.mjs)

    /** 1 when the host has node:crypto for us, 0 when it does not. */
    @Import(module = "pilot", name = "cryptoAvailable")
    static native int available();

    /**
     * Ed25519 seed (32 bytes) at {@code at}: a handle {@code > 0} of the key the host now holds (the same one
     * again for the same seed while it holds it), its public key written at {@code at}; or {@code <= 0}.
     */
    @Import(module = "pilot", name = "edKey")
    static native int hostEdKey(int at);

    /** Signs the {@code len} bytes at {@code at} with key {@code handle}: 64, the signature at {@code at}. */
    @Import(module = "pilot", name = "edSign")
    static native int hostEdSign(int handle, int at, int len);

    /** {@code key(32) ‖ signature(64) ‖ message(len)} at {@code at}: 1 valid, 0 not (malformed included). */
    @Import(module = "pilot", name = "edVerify")
    private static native int hostEdVerify(int at, int len);

    /** X25519 scalar (32 bytes) at {@code at}: 32, its public key written at {@code at}. */
    @Import(module = "pilot", name = "x25519Public")
    private static native int hostX25519Public(int at);

    /** {@code ikm ‖ salt ‖ info} at {@code at}: {@code length}, the HKDF-SHA256 output written at {@code at}. */
    @Import(module = "pilot", name = "hkdf")
    private static native int hostHkdf(int at, int ikmLen, int saltLen, int infoLen, int length);

    /** SHA-256 of the {@code len} bytes at {@code at}: 32, the digest written at {@code at}. */
    @Import(module = "pilot", name = "sha256")
    private static native int hostSha256(int at, int len);

    // ------------------------------------------------------------------ CryptoSuite

    @Override
    public byte[] x25519PublicKey(byte[] privateKey) {
        requireLength(privateKey, "X25519 private key");
        if (platform) {
            int at = put(privateKey);
            if (at >= 0 && hostX25519Public(at) == KEY) {
                return take(KEY);
            }
        }
        return fallback != null ? fallback.x25519PublicKey(privateKey) : new byte[KEY];
    }

    @Override
    public byte[] x25519SharedSecret(byte[] privateKey, byte[] peerPublicKey) {
        if (fallback != null && !platform) {
            return fallback.x25519SharedSecret(privateKey, peerPublicKey);
        }
        if (privateKey == null || privateKey.length != KEY || peerPublicKey == null || peerPublicKey.length != KEY) {
            return null;
        }
        byte[] out = new byte[KEY];
        // false for an all-zero result (a low-order peer key): refused, as Bouncy Castle's suite does
        return X25519.calculateAgreement(privateKey, 0, peerPublicKey, 0, out, 0) ? out : null;
    }

    @Override
    public SigningKey ed25519(byte[] seed) {
        requireLength(seed, "Ed25519 seed");
        if (platform) {
            int at = put(seed);
            int handle = at < 0 ? -1 : hostEdKey(at);
            if (handle > 0) {
                return new PlatformSigningKey(seed, take(KEY), handle, fallback);
            }
        }
        return fallback != null ? fallback.ed25519(seed) : new PlatformSigningKey(seed, new byte[KEY], -1, null);
    }

    @Override
    public boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY || signature == null || signature.length != 64 || message == null) {
            return false;
        }
        if (platform) {
            int at = Io.ensure(KEY + 64 + message.length);
            if (at >= 0) {
                Io.write(0, publicKey, 0, KEY);
                Io.write(KEY, signature, 0, 64);
                Io.write(KEY + 64, message, 0, message.length);
                int r = hostEdVerify(at, message.length);
                if (r == 0 || r == 1) {
                    return r == 1;
                }
            }
        }
        return fallback != null && fallback.ed25519Verify(publicKey, message, signature);
    }

    @Override
    public Aead aes256Gcm(byte[] key) {
        if (!platform || key == null || key.length != KEY) {
            if (fallback == null) {
                requireLength(key, "AES-256 key");
                return new PlatformAead(key, null);
            }
            return fallback.aes256Gcm(key); // throws exactly as Bouncy Castle's suite does
        }
        return new PlatformAead(key, fallback);
    }

    @Override
    public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        if (platform && ikm != null && length >= 0 && length <= 255 * 32) {
            byte[] s = salt == null ? new byte[0] : salt;
            byte[] i = info == null ? new byte[0] : info;
            int at = Io.ensure(Math.max(ikm.length + s.length + i.length, length));
            if (at >= 0) {
                Io.write(0, ikm, 0, ikm.length);
                Io.write(ikm.length, s, 0, s.length);
                Io.write(ikm.length + s.length, i, 0, i.length);
                if (hostHkdf(at, ikm.length, s.length, i.length, length) == length) {
                    return take(length);
                }
            }
        }
        return fallback != null ? fallback.hkdfSha256(ikm, salt, info, length) : new byte[Math.max(0, length)];
    }

    @Override
    public byte[] sha256(byte[] data) {
        if (platform) {
            int at = Io.ensure(Math.max(data.length, KEY));
            if (at >= 0) {
                Io.write(0, data, 0, data.length);
                if (hostSha256(at, data.length) == KEY) {
                    return take(KEY);
                }
            }
        }
        return fallback != null ? fallback.sha256(data) : new byte[KEY];
    }

    // ------------------------------------------------------------------ helpers

    /** Writes {@code b} at the region's start; the region's address, or -1. */
    static int put(byte[] b) {
        int at = Io.ensure(Math.max(b.length, KEY));
        if (at >= 0) {
            Io.write(0, b, 0, b.length);
        }
        return at;
    }

    /** The first {@code n} bytes of the region. */
    static byte[] take(int n) {
        byte[] out = new byte[n];
        Io.read(out, 0, n);
        return out;
    }

    private static void requireLength(byte[] b, String what) {
        if (b == null || b.length != KEY) {
            throw new IllegalArgumentException(what + " must be " + KEY + " bytes");
        }
    }
}
