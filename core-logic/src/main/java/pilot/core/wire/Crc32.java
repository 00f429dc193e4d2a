package pilot.core.wire;

/**
 * CRC-32/IEEE 802.3 (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF), identical to
 * {@code java.util.zip.CRC32} (spec B.2). Written out so that the JVM and the wasm build share one
 * implementation, and so the header checksum can be computed with its field zeroed without a copy.
 */
public final class Crc32 {
    private static final int[] TABLE = new int[256];

    static {
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
            }
            TABLE[n] = c;
        }
    }

    private Crc32() {
    }

    /** Initial register value for {@link #update}. */
    public static final int INIT = 0xFFFFFFFF;

    public static int update(int reg, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            reg = TABLE[(reg ^ b[i]) & 0xFF] ^ (reg >>> 8);
        }
        return reg;
    }

    public static int updateZeros(int reg, int count) {
        for (int i = 0; i < count; i++) {
            reg = TABLE[reg & 0xFF] ^ (reg >>> 8);
        }
        return reg;
    }

    public static int finish(int reg) {
        return ~reg;
    }

    public static int of(byte[] b, int off, int len) {
        return finish(update(INIT, b, off, len));
    }
}
