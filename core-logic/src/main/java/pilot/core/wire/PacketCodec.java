package pilot.core.wire;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;

/**
 * The 34-byte packet header of spec B.1:
 * <pre>
 *  0       1       2               4               6                               10
 * +-------+-------+---------------+---------------+-------------------------------+
 * |ver|flg| proto | payload len   | src network   | src node                      |
 * +-------+-------+---------------+---------------+-------------------------------+
 * 10              12                              16              18              20
 * | dst network   | dst node                      | src port      | dst port      |
 * +---------------+-------------------------------+---------------+---------------+
 * 20                              24                              28              30
 * | sequence                      | acknowledgment                | window        |
 * +-------------------------------+-------------------------------+---------------+
 * 30                              34
 * | CRC-32 (over header with this field zero, then payload)       | payload ...
 * </pre>
 */
public final class PacketCodec {
    public static final int HEADER_SIZE = 34;
    static final int OFF_VERSION_FLAGS = 0;
    static final int OFF_PROTOCOL = 1;
    static final int OFF_LENGTH = 2;
    static final int OFF_SRC_NET = 4;
    static final int OFF_SRC_NODE = 6;
    static final int OFF_DST_NET = 10;
    static final int OFF_DST_NODE = 12;
    static final int OFF_SRC_PORT = 16;
    static final int OFF_DST_PORT = 18;
    static final int OFF_SEQ = 20;
    static final int OFF_ACK = 24;
    static final int OFF_WINDOW = 28;
    public static final int OFF_CHECKSUM = 30;

    private PacketCodec() {
    }

    /** Serialises a packet with its checksum. */
    public static byte[] encode(Packet p) {
        byte[] out = new byte[HEADER_SIZE + p.payloadLength()];
        encodeInto(p, out, 0);
        return out;
    }

    /**
     * Serialises a packet with its checksum field left zero, for a host that computes the checksum itself
     * (a Worker's node with the checksum deferred: {@code PilotNode.deferChecksum}); {@link #fillChecksum}
     * makes it the bytes {@link #encode} gives.
     */
    public static byte[] encodeWithoutChecksum(Packet p) {
        byte[] out = new byte[HEADER_SIZE + p.payloadLength()];
        encodeInto(p, out, 0, false);
        return out;
    }

    /** Writes the CRC-32 of spec B.2 into a packet that {@link #encodeWithoutChecksum} made (its field zero). */
    public static void fillChecksum(byte[] packet) {
        writeChecksum(packet, 0, packet.length);
    }

    /**
     * Whether the packet in {@code b} (a whole plaintext) is long enough for its declared payload and its
     * checksum matches: what a host that checks the checksum itself reports with its answer. False when
     * it is too short to tell (the decode then refuses it as truncated, as it would anyway).
     */
    public static boolean checksumMatches(byte[] b) {
        if (b == null || b.length < HEADER_SIZE) {
            return false;
        }
        int len = HEADER_SIZE + Bytes.u16(b, OFF_LENGTH);
        return len <= b.length && checksumHolds(b, 0, len);
    }

    /** The CRC-32 of spec B.2 of the packet of {@code len} bytes at {@code off} (its checksum field zero) into that field. */
    private static void writeChecksum(byte[] b, int off, int len) {
        Bytes.put32(b, off + OFF_CHECKSUM, Crc32.of(b, off, len));
    }

    /** Whether the packet of {@code len} bytes at {@code off} carries the CRC-32 of spec B.2 of itself (field taken as zero). */
    private static boolean checksumHolds(byte[] b, int off, int len) {
        return Crc32.ofZeroedField(b, off, len, off + OFF_CHECKSUM) == Bytes.i32(b, off + OFF_CHECKSUM);
    }

    /** Serialises into {@code out} at {@code off}; returns the number of bytes written. */
    public static int encodeInto(Packet p, byte[] out, int off) {
        return encodeInto(p, out, off, true);
    }

    private static int encodeInto(Packet p, byte[] out, int off, boolean checksum) {
        int n = p.payloadLength();
        out[off + OFF_VERSION_FLAGS] = (byte) ((Packet.VERSION << 4) | p.flags());
        out[off + OFF_PROTOCOL] = (byte) p.protocol();
        Bytes.put16(out, off + OFF_LENGTH, n);
        Bytes.put16(out, off + OFF_SRC_NET, p.src().network());
        Bytes.put32(out, off + OFF_SRC_NODE, p.src().node());
        Bytes.put16(out, off + OFF_DST_NET, p.dst().network());
        Bytes.put32(out, off + OFF_DST_NODE, p.dst().node());
        Bytes.put16(out, off + OFF_SRC_PORT, p.srcPort());
        Bytes.put16(out, off + OFF_DST_PORT, p.dstPort());
        Bytes.put32(out, off + OFF_SEQ, p.seq());
        Bytes.put32(out, off + OFF_ACK, p.ack());
        Bytes.put16(out, off + OFF_WINDOW, p.window());
        Bytes.put32(out, off + OFF_CHECKSUM, 0);
        p.copyPayload(out, off + HEADER_SIZE);
        if (checksum) {
            writeChecksum(out, off, HEADER_SIZE + n);
        }
        return HEADER_SIZE + n;
    }

    /**
     * Decodes one packet from {@code len} bytes at {@code off} (spec B.3): too short, version other than 1
     * and checksum mismatch are refused; bytes beyond the declared payload are ignored.
     */
    public static Result<Packet> decode(byte[] b, int off, int len) {
        return decode(b, off, len, false);
    }

    /**
     * Decodes a whole array that the caller hands over and never touches again (the envelope's freshly
     * opened plaintext): the packet's payload stays a range of {@code b} instead of a copy of it.
     */
    public static Result<Packet> decodeTaking(byte[] b) {
        return decodeTaking(b, false);
    }

    /**
     * {@link #decodeTaking(byte[])} for a plaintext whose checksum the host already found matching
     * ({@code checksumChecked}, see {@link #checksumMatches}): every other check runs as before, in the same order.
     */
    public static Result<Packet> decodeTaking(byte[] b, boolean checksumChecked) {
        return b == null ? Result.fail(ErrorCode.INVALID_ARGUMENT, "null") : decode(b, 0, b.length, true, checksumChecked);
    }

    private static Result<Packet> decode(byte[] b, int off, int len, boolean take) {
        return decode(b, off, len, take, false);
    }

    private static Result<Packet> decode(byte[] b, int off, int len, boolean take, boolean checksumChecked) {
        if (b == null || off < 0 || len < 0 || off + len > b.length) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "bad buffer bounds");
        }
        if (len < HEADER_SIZE) {
            return Result.fail(ErrorCode.TRUNCATED, "packet shorter than 34-byte header: " + len);
        }
        int payloadLen = Bytes.u16(b, off + OFF_LENGTH);
        if (len < HEADER_SIZE + payloadLen) {
            return Result.fail(ErrorCode.TRUNCATED, "payload length " + payloadLen + " exceeds " + (len - HEADER_SIZE));
        }
        int version = (b[off + OFF_VERSION_FLAGS] >>> 4) & 0xF;
        if (!checksumChecked && !checksumHolds(b, off, HEADER_SIZE + payloadLen)) {
            return Result.fail(ErrorCode.BAD_CHECKSUM, "CRC-32 mismatch");
        }
        if (version != Packet.VERSION) {
            return Result.fail(ErrorCode.BAD_VERSION, "header version " + version);
        }
        return Result.ok(Packet.owningRange(
                b[off + OFF_VERSION_FLAGS] & 0xF,
                Bytes.u8(b, off + OFF_PROTOCOL),
                new Address(Bytes.u16(b, off + OFF_SRC_NET), Bytes.i32(b, off + OFF_SRC_NODE)),
                new Address(Bytes.u16(b, off + OFF_DST_NET), Bytes.i32(b, off + OFF_DST_NODE)),
                Bytes.u16(b, off + OFF_SRC_PORT),
                Bytes.u16(b, off + OFF_DST_PORT),
                Bytes.i32(b, off + OFF_SEQ),
                Bytes.i32(b, off + OFF_ACK),
                Bytes.u16(b, off + OFF_WINDOW),
                take ? b : Bytes.slice(b, off + HEADER_SIZE, payloadLen), take ? off + HEADER_SIZE : 0, payloadLen));
    }

    public static Result<Packet> decode(byte[] b) {
        return b == null ? Result.fail(ErrorCode.INVALID_ARGUMENT, "null") : decode(b, 0, b.length);
    }
}
