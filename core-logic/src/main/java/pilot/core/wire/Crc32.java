package pilot.core.wire;

import java.util.zip.CRC32;

/**
 * CRC-32/IEEE 802.3 of a packet (spec B.2), through {@link java.util.zip.CRC32}: on the JVM that is an
 * intrinsic (carry-less multiply, ~50x a byte-wise table loop, which was half the cost of an envelope
 * seal + open with JCE), and TeaVM's classlib maps it to a table-driven implementation in the wasm module,
 * so both runtimes keep one code path here. The checksum field is read as zero without a copy.
 */
public final class Crc32 {
    private static final byte[] ZEROS = new byte[4];

    private Crc32() {
    }

    /** CRC-32 of {@code b[off, off + len)}. */
    public static int of(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /**
     * CRC-32 of {@code b[off, off + len)} with the four bytes at {@code fieldAt} (inside that range) read as
     * zero: the header's own checksum field (spec B.2).
     */
    public static int ofZeroedField(byte[] b, int off, int len, int fieldAt) {
        CRC32 c = new CRC32();
        c.update(b, off, fieldAt - off);
        c.update(ZEROS, 0, ZEROS.length);
        c.update(b, fieldAt + ZEROS.length, off + len - fieldAt - ZEROS.length);
        return (int) c.getValue();
    }
}
