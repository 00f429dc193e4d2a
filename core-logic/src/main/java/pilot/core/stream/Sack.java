package pilot.core.stream;

import pilot.core.wire.Bytes;

/**
 * SACK blocks in the payload of a pure ACK (spec G.4): {@code "SACK" ‖ count(1..4) ‖ count × (left, right)},
 * right = first sequence number after the block. The reference treats any ACK payload of that shape as
 * SACK information: at least {@code 5 + 8·count} bytes with count 1..4.
 */
public final class Sack {
    public static final int MAX_BLOCKS = 4;
    private static final byte[] MAGIC = {'S', 'A', 'C', 'K'};

    private Sack() {
    }

    /** Encodes up to 4 blocks given as {left0, right0, left1, right1, ...}. */
    public static byte[] encode(int[] blocks, int count) {
        int n = Math.min(count, MAX_BLOCKS);
        byte[] out = new byte[5 + 8 * n];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        out[4] = (byte) n;
        for (int i = 0; i < n; i++) {
            Bytes.put32(out, 5 + 8 * i, blocks[2 * i]);
            Bytes.put32(out, 9 + 8 * i, blocks[2 * i + 1]);
        }
        return out;
    }

    /** The blocks as {left, right, ...}, or {@code null} when the payload is not SACK information. */
    public static int[] decode(byte[] payload) {
        if (!startsLikeSack(payload, 0, payload.length)) {
            return null;
        }
        int n = payload[4];
        int[] blocks = new int[2 * n];
        for (int i = 0; i < n; i++) {
            blocks[2 * i] = Bytes.i32(payload, 5 + 8 * i);
            blocks[2 * i + 1] = Bytes.i32(payload, 9 + 8 * i);
        }
        return blocks;
    }

    /**
     * Would a receiver read these bytes as SACK? A sender must never start a data segment like this
     * (the ambiguity of spec G.4); {@link Connection} splits such a segment after its first byte.
     */
    public static boolean startsLikeSack(byte[] b, int off, int len) {
        if (len < 5 || b.length - off < 5 || b[off] != 'S' || b[off + 1] != 'A' || b[off + 2] != 'C' || b[off + 3] != 'K') {
            return false;
        }
        int n = b[off + 4];
        return n >= 1 && n <= MAX_BLOCKS && len >= 5 + 8 * n;
    }
}
