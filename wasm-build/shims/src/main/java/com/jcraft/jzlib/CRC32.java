package com.jcraft.jzlib;

/**
 * TeaVM-only replacement for jzlib's CRC-32, which TeaVM's {@code java.util.zip.CRC32} delegates to in
 * wasm: the same public API and the same values (CRC-32/IEEE, reflected, polynomial 0xEDB88320), but eight
 * bytes per step through eight tables ("slicing-by-8") instead of jzlib's one byte per step. Every packet
 * is checksummed on seal and on open (spec B.2), and jzlib's loop was ~15 % of a seal + open in wasm. The
 * tables (8 KiB) are computed when the class is first used, so they cost no code. The vectors (packet
 * checksums) and the simulation trace hashes check it in Node and workerd; on the JVM the JDK's
 * intrinsic is used and this class is never on the classpath.
 */
public final class CRC32 implements Checksum {
    private static final int[] T = table();
    private int v;

    private static int[] table() {
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
        return t;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        int[] t = T;
        int c = ~v;
        while (len >= 8) {
            int lo = c ^ ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24);
            int hi = (b[off + 4] & 0xFF) | (b[off + 5] & 0xFF) << 8 | (b[off + 6] & 0xFF) << 16 | (b[off + 7] & 0xFF) << 24;
            c = t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >>> 8) & 0xFF)] ^ t[5 * 256 + ((lo >>> 16) & 0xFF)]
                    ^ t[4 * 256 + (lo >>> 24)] ^ t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >>> 8) & 0xFF)]
                    ^ t[256 + ((hi >>> 16) & 0xFF)] ^ t[hi >>> 24];
            off += 8;
            len -= 8;
        }
        while (len-- > 0) {
            c = t[(c ^ b[off++]) & 0xFF] ^ (c >>> 8);
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
        System.arraycopy(T, 0, t, 0, 256);
        return t;
    }
}
