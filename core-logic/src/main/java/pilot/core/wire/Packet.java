package pilot.core.wire;

import pilot.core.addr.Address;

/**
 * One Pilot packet: the 34-byte header of spec B.1 plus its payload. The version is always 1 and is
 * therefore not a field. Immutable: the payload is copied in and out. A final class rather than a record so
 * that {@link PacketCodec#decode} can hand over the payload it just sliced from a plaintext without a second
 * copy, and {@link PacketCodec#decodeTaking} the plaintext itself, the payload a range of it (every
 * received packet passes here).
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
    private final byte[] payload;  // the payload is payload[payloadOff, payloadOff + payloadLen)
    private final int payloadOff;
    private final int payloadLen;

    public Packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                  int window, byte[] payload) {
        this(flags, protocol, src, dst, srcPort, dstPort, seq, ack, window, payload == null ? null : payload.clone(), 0,
                payload == null ? 0 : payload.length);
    }

    /** Takes {@code payload[off, off + len)} as it is: only for an array nobody else holds. */
    private Packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                   int window, byte[] payload, int off, int len) {
        if ((flags & ~0xF) != 0 || (protocol & ~0xFF) != 0 || (window & ~0xFFFF) != 0
                || (srcPort & ~0xFFFF) != 0 || (dstPort & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("header field out of range");
        }
        if (src == null || dst == null) {
            throw new IllegalArgumentException("addresses required");
        }
        payload = payload == null ? new byte[0] : payload;
        if (len > MAX_PAYLOAD) {
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
        this.payloadOff = off;
        this.payloadLen = len;
    }

    /** A packet whose payload is {@code buf[off, off + len)} of an array nothing else references (PacketCodec). */
    static Packet owningRange(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq,
                              int ack, int window, byte[] buf, int off, int len) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, ack, window, buf, off, len);
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

    /**
     * A copy of the payload. Through {@code System.arraycopy}, not {@code Arrays.copyOfRange}: TeaVM's classlib
     * copies a range byte by byte in wasm (a loop per delivered datagram), its arraycopy is one {@code array.copy}.
     */
    public byte[] payload() {
        return Bytes.slice(payload, payloadOff, payloadLen);
    }

    public int payloadLength() {
        return payloadLen;
    }

    /** Copies the payload into {@code dst} at {@code off}; avoids one allocation on hot paths. */
    public void copyPayload(byte[] dst, int off) {
        System.arraycopy(payload, payloadOff, dst, off, payloadLen);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** A copy with different seq/ack/window (retransmissions carry current ack and window). */
    public Packet withAckWindow(int newAck, int newWindow) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, newAck, newWindow, payload, payloadOff, payloadLen); // shares the immutable payload
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && p.flags == flags && p.protocol == protocol && p.src.equals(src)
                && p.dst.equals(dst) && p.srcPort == srcPort && p.dstPort == dstPort && p.seq == seq
                && p.ack == ack && p.window == window && samePayload(p);
    }

    private boolean samePayload(Packet p) {
        if (p.payloadLen != payloadLen) {
            return false;
        }
        for (int i = 0; i < payloadLen; i++) {
            if (p.payload[p.payloadOff + i] != payload[payloadOff + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return ((src.hashCode() * 31 + dst.hashCode()) * 31 + srcPort * 65536 + dstPort) * 31 + seq * 17 + ack
                + payloadHash();
    }

    /** {@link java.util.Arrays#hashCode(byte[])} of the payload's range. */
    private int payloadHash() {
        int h = 1;
        for (int i = payloadOff; i < payloadOff + payloadLen; i++) {
            h = 31 * h + payload[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "Packet[flags=" + flags + " proto=" + protocol + " " + src + ":" + srcPort + " -> " + dst + ":" + dstPort
                + " seq=" + Integer.toUnsignedString(seq) + " ack=" + Integer.toUnsignedString(ack) + " win=" + window
                + " len=" + payloadLen + "]";
    }
}
