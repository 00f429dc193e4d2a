package pilot.core.wire;

import java.util.Arrays;
import pilot.core.addr.Address;

/**
 * One Pilot packet: the 34-byte header of spec B.1 plus its payload. The version is always 1 and is
 * therefore not a field. Immutable: the payload is copied in and out. A final class rather than a record so
 * that {@link PacketCodec#decode} can hand over the payload it just sliced from a plaintext without a second
 * copy (every received packet passes here).
 */
public final class Packet {
    public static final int VERSION = 1;
    public static final int SYN = 0x1;
    public static final int ACK = 0x2;
    public static final int FIN = 0x4;
    public static final int RST = 0x8;
    public static final int PROTO_STREAM = 0x01;
    public static final int PROTO_DATAGRAM = 0x02;
    public static final int PROTO_CONTROL = 0x03;
    public static final int MAX_PAYLOAD = 0xFFFF;

    private final int flags;
    private final int protocol;
    private final Address src;
    private final Address dst;
    private final int srcPort;
    private final int dstPort;
    private final int seq;
    private final int ack;
    private final int window;
    private final byte[] payload;

    public Packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                  int window, byte[] payload) {
        this(flags, protocol, src, dst, srcPort, dstPort, seq, ack, window, payload == null ? null : payload.clone(), true);
    }

    /** Takes {@code payload} as it is: only for an array nobody else holds. */
    private Packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                   int window, byte[] payload, boolean owned) {
        if ((flags & ~0xF) != 0 || (protocol & ~0xFF) != 0 || (window & ~0xFFFF) != 0
                || (srcPort & ~0xFFFF) != 0 || (dstPort & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("header field out of range");
        }
        if (src == null || dst == null) {
            throw new IllegalArgumentException("addresses required");
        }
        payload = payload == null ? new byte[0] : payload;
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload over 65535 bytes");
        }
        this.flags = flags;
        this.protocol = protocol;
        this.src = src;
        this.dst = dst;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.window = window;
        this.payload = payload;
    }

    /** A packet over a freshly sliced payload that nothing else references (PacketCodec). */
    static Packet owning(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                         int window, byte[] payload) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, ack, window, payload, true);
    }

    /** Low nibble: {@link #SYN}, {@link #ACK}, {@link #FIN}, {@link #RST}. */
    public int flags() {
        return flags;
    }

    /** {@link #PROTO_STREAM}, {@link #PROTO_DATAGRAM} or {@link #PROTO_CONTROL} (any byte decodes). */
    public int protocol() {
        return protocol;
    }

    public Address src() {
        return src;
    }

    public Address dst() {
        return dst;
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    /** Raw 32 bits, unsigned on the wire. */
    public int seq() {
        return seq;
    }

    /** Raw 32 bits, unsigned on the wire. */
    public int ack() {
        return ack;
    }

    /** Receive window in segments, 0..65535. */
    public int window() {
        return window;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    public int payloadLength() {
        return payload.length;
    }

    /** Copies the payload into {@code dst} at {@code off}; avoids one allocation on hot paths. */
    public void copyPayload(byte[] dst, int off) {
        System.arraycopy(payload, 0, dst, off, payload.length);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** A copy with different seq/ack/window (retransmissions carry current ack and window). */
    public Packet withAckWindow(int newAck, int newWindow) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, newAck, newWindow, payload, true); // shares the immutable payload
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && p.flags == flags && p.protocol == protocol && p.src.equals(src)
                && p.dst.equals(dst) && p.srcPort == srcPort && p.dstPort == dstPort && p.seq == seq
                && p.ack == ack && p.window == window && Arrays.equals(p.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((src.hashCode() * 31 + dst.hashCode()) * 31 + srcPort * 65536 + dstPort) * 31 + seq * 17 + ack
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Packet[flags=" + flags + " proto=" + protocol + " " + src + ":" + srcPort + " -> " + dst + ":" + dstPort
                + " seq=" + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack) + " win=" + window
                + " len=" + payload.length + "]";
    }
}
