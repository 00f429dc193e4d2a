package pilot.wasm;

import org.teavm.interop.Import;
import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;

/**
 * AES-256-GCM done by the host (a Worker's {@code node:crypto}, native code) instead of Bouncy Castle
 * compiled to wasm, which is ~3x slower. Nonce, AAD and key composition stay in Java; the host only runs
 * the cipher. Bytes cross through {@link Io}'s region of wasm linear memory: Java writes
 * {@code nonce(12) ‖ aad ‖ input} there, makes one import call, and reads the output back from the same
 * place, so a packet costs one call and one bulk copy each way (no per-byte JavaScript calls). Sharing
 * the region with the exports is safe because every export copies its inputs out before it does anything.
 *
 * <p>The host keeps the imported keys in a table of its own, bounded by its {@code AEAD_KEYS_MAX}
 * (pilot-core.mjs): a key it has evicted answers {@link #UNKNOWN_KEY} and is imported again here (Java
 * still holds the key bytes), so the bound costs a re-import, never a wrong result. Any other host
 * failure falls back to {@code base} for this key (Bouncy Castle in the conformance module; AES-GCM is
 * deterministic, so the wire bytes are the same either way). The production module has no other cipher
 * ({@code base} null): a failed seal gives zero bytes with a zero tag, which every peer refuses as
 * AEAD_FAILED, and a failed open is refused here, so a failure is never a wrong plaintext.
 */
final class PlatformAead implements Aead {
    /** The host's answer for a key handle it no longer holds. */
    static final int UNKNOWN_KEY = -2;
    /** The host's answer when a tag does not verify. */
    static final int AUTH_FAILED = -1;
    private static final int NONCE = 12;
    private static final int TAG = 16;

    private final byte[] key;
    private final CryptoSuite base;
    private int handle;
    /** Bouncy Castle for this key, built on the first host failure and used from then on. */
    private Aead fallback;

    PlatformAead(byte[] key, CryptoSuite base) {
        this.key = key.clone();
        this.base = base;
        this.handle = importKey(this.key);
    }

    // ------------------------------------------------------------------ the host's functions (pilot-core.mjs)

    /** Imports the 32-byte key at {@code at}; a handle {@code > 0}, or {@code <= 0} when it cannot. */
    @Import(module = "pilot", name = "aeadKey")
    private static native int hostKey(int at);

    /**
     * Seals ({@code open == 0}) or opens the {@code nonce ‖ aad ‖ input} at {@code at} and writes the
     * output at {@code at}; its length, {@link #AUTH_FAILED}, {@link #UNKNOWN_KEY} or another negative
     * number for a host failure.
     */
    @Import(module = "pilot", name = "aeadRun")
    private static native int hostRun(int open, int handle, int at, int aadLen, int inputLen);

    // ------------------------------------------------------------------ Aead

    @Override
    public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len) {
        byte[] out = new byte[len + TAG];
        sealInto(nonce, aad, plaintext, off, len, out, 0);
        return out;
    }

    @Override
    public int sealInto(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len, byte[] out, int outOff) {
        int n = fallback == null ? run(0, nonce, aad, plaintext, off, len, true) : -3;
        if (n != len + TAG) {
            if (base == null) {
                java.util.Arrays.fill(out, outOff, outOff + len + TAG, (byte) 0);
                return len + TAG;
            }
            return fallback().sealInto(nonce, aad, plaintext, off, len, out, outOff);
        }
        Io.read(out, outOff, n);
        return n;
    }

    @Override
    public byte[] open(byte[] nonce, byte[] aad, byte[] ct, int off, int len) {
        if (nonce == null || nonce.length != NONCE || ct == null || len < TAG || off < 0 || off + len > ct.length) {
            return null;
        }
        int n = fallback == null ? run(1, nonce, aad, ct, off, len, true) : -3;
        if (n == AUTH_FAILED) {
            return null;
        }
        if (n != len - TAG) {
            return base == null ? null : fallback().open(nonce, aad, ct, off, len);
        }
        byte[] out = new byte[n];
        Io.read(out, 0, n);
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private int run(int open, byte[] nonce, byte[] aad, byte[] input, int off, int len, boolean retry) {
        int aadLen = aad == null ? 0 : aad.length;
        int at = Io.ensure(NONCE + aadLen + len + TAG);
        if (nonce.length != NONCE || handle <= 0 || at < 0) {
            return -3;
        }
        Io.write(0, nonce, 0, NONCE);
        if (aadLen > 0) {
            Io.write(NONCE, aad, 0, aadLen);
        }
        Io.write(NONCE + aadLen, input, off, len);
        int n = hostRun(open, handle, at, aadLen, len);
        if (n == UNKNOWN_KEY && retry) {
            // evicted from the host's bounded table: import again (this overwrites the region) and retry once
            handle = importKey(key);
            return run(open, nonce, aad, input, off, len, false);
        }
        return n;
    }

    private Aead fallback() {
        if (fallback == null) {
            fallback = base.aes256Gcm(key);
        }
        return fallback;
    }

    private static int importKey(byte[] key) {
        int at = Io.ensure(key.length);
        if (at < 0) {
            return -1;
        }
        Io.write(0, key, 0, key.length);
        return hostKey(at);
    }
}
