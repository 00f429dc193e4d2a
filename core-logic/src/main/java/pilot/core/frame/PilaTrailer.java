package pilot.core.frame;

import java.io.ByteArrayOutputStream;

/**
 * The Fork-J PILA trailer (spec D.4): {@code uvarint(caps)} then, only when flags ≠ 0,
 * {@code uvarint(flags)}; absent when both are 0. It is not signed: informational only.
 * A malformed trailer decodes as {@link #NONE}, exactly like a receiver that ignores it.
 */
public record PilaTrailer(long caps, long flags) {
    public static final PilaTrailer NONE = new PilaTrailer(0, 0);
    /** caps bit 0: gossip support. */
    public static final long CAP_GOSSIP = 1;
    /** flags bit 0: "please answer even if nothing changed". */
    public static final long FLAG_REQUEST = 1;
    /** flags bit 1: "this is an answer". */
    public static final long FLAG_RESPONSE = 2;
    private static final int MAX_VARINT_BYTES = 10;

    public boolean isPresent() {
        return caps != 0 || flags != 0;
    }

    byte[] encode() {
        if (!isPresent()) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4);
        writeUvarint(out, caps);
        if (flags != 0) {
            writeUvarint(out, flags);
        }
        return out.toByteArray();
    }

    /** Parses bytes {@code [off, end)} after byte 136; never fails, malformed input yields {@link #NONE}. */
    static PilaTrailer decode(byte[] b, int off, int end) {
        if (off >= end) {
            return NONE;
        }
        long[] caps = readUvarint(b, off, end);
        if (caps == null) {
            return NONE;
        }
        int next = (int) caps[1];
        if (next >= end) {
            return new PilaTrailer(caps[0], 0);
        }
        long[] flags = readUvarint(b, next, end);
        return flags == null ? new PilaTrailer(caps[0], 0) : new PilaTrailer(caps[0], flags[0]);
    }

    /** {value, next offset}, or null when truncated or longer than 10 bytes. */
    private static long[] readUvarint(byte[] b, int off, int end) {
        long v = 0;
        for (int i = 0; i < MAX_VARINT_BYTES && off + i < end; i++) {
            int by = b[off + i] & 0xFF;
            v |= (long) (by & 0x7F) << (7 * i);
            if ((by & 0x80) == 0) {
                return new long[] {v, off + i + 1};
            }
        }
        return null;
    }

    private static void writeUvarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
