package com.jcraft.jzlib;

import org.teavm.interop.Address;
import org.teavm.runtime.heap.Heap;

/**
 * TeaVM-only replacement for jzlib's CRC-32, which TeaVM's {@code java.util.zip.CRC32} delegates to in
 * wasm: the same public API and the same values (CRC-32/IEEE, reflected, polynomial 0xEDB88320), but eight
 * bytes per step through eight tables ("slicing-by-8") instead of jzlib's one byte per step. Every packet
 * is checksummed on seal and on open (spec B.2), and jzlib's loop was ~15 % of a seal + open in wasm. The
 * tables (8 KiB, in linear memory) are computed when the class is first used, so they cost no code. The vectors (packet
 * checksums) and the simulation trace hashes check it in Node and workerd; on the JVM the JDK's
 * intrinsic is used and this class is never on the classpath.
 */
public final class CRC32 implements Checksum {
    /**
     * The eight tables in wasm linear memory rather than an {@code int[]}: a WasmGC array read is bounds-checked
     * by V8 on every access, a memory load is not (guard pages), and the loop makes eight table reads per eight
     * bytes. In workerd's profile (wasm-build/js/bench/profile-workerd.mjs) this loop was 12 % of a packet's
     * seal + open with an {@code int[]}. 8 KiB, allocated once from TeaVM's heap and never freed.
     */
    private static final Address T = table();
    private int v;

    private static Address table() {
        int[] t = new int[8 * 256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
            }
            t[n] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int n = 0; n < 256; n++) {
                int p = t[(k - 1) * 256 + n];
                t[k * 256 + n] = (p >>> 8) ^ t[p & 0xFF];
            }
        }
        Address a = Heap.alloc(t.length * 4);
        for (int i = 0; i < t.length; i++) {
            a.add(i * 4).putInt(t[i]);
        }
        return a;
    }

    /** Entry {@code n} (0..255) of table {@code k}. */
    private static int t(Address t, int k, int n) {
        return t.add((k << 10) + (n << 2)).getInt();
    }

    @Override
    public void update(byte[] b, int off, int len) {
        Address t = T;
        int c = ~v;
        while (len >= 8) {
            int lo = c ^ ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | b[off + 3] << 24);
            int hi = (b[off + 4] & 0xFF) | (b[off + 5] & 0xFF) << 8 | (b[off + 6] & 0xFF) << 16 | b[off + 7] << 24;
            c = t(t, 7, lo & 0xFF) ^ t(t, 6, (lo >>> 8) & 0xFF) ^ t(t, 5, (lo >>> 16) & 0xFF) ^ t(t, 4, lo >>> 24)
                    ^ t(t, 3, hi & 0xFF) ^ t(t, 2, (hi >>> 8) & 0xFF) ^ t(t, 1, (hi >>> 16) & 0xFF) ^ t(t, 0, hi >>> 24);
            off += 8;
            len -= 8;
        }
        while (len-- > 0) {
            c = t(t, 0, (c ^ b[off++]) & 0xFF) ^ (c >>> 8);
        }
        v = ~c;
    }

    @Override
    public void reset() {
        v = 0;
    }

    @Override
    public void reset(long value) {
        v = (int) value;
    }

    @Override
    public long getValue() {
        return v & 0xFFFFFFFFL;
    }

    @Override
    public CRC32 copy() {
        CRC32 c = new CRC32();
        c.v = v;
        return c;
    }

    /** jzlib's API: the one-byte table (the first 256 entries). */
    public static int[] getCRC32Table() {
        int[] t = new int[256];
        for (int n = 0; n < 256; n++) {
            t[n] = t(T, 0, n);
        }
        return t;
    }
}
