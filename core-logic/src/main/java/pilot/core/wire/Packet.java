package pilot.core.wire;

import java.util.Arrays;
import pilot.core.addr.Address;

/**
 * One Pilot packet: the 34-byte header of spec B.1 plus its payload. The version is always 1 and is
 * therefore not a field. Immutable: the payload is copied in and out.
 *
 * @param flags    low nibble: {@link #SYN}, {@link #ACK}, {@link #FIN}, {@link #RST}
 * @param protocol {@link #PROTO_STREAM}, {@link #PROTO_DATAGRAM} or {@link #PROTO_CONTROL} (any byte decodes)
 * @param seq      raw 32 bits, unsigned on the wire
 * @param ack      raw 32 bits, unsigned on the wire
 * @param window   receive window in segments, 0..65535
 */
public record Packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort,
                     int seq, int ack, int window, byte[] payload) {
    public static final int VERSION = 1;
    public static final int SYN = 0x1;
    public static final int ACK = 0x2;
    public static final int FIN = 0x4;
    public static final int RST = 0x8;
    public static final int PROTO_STREAM = 0x01;
    public static final int PROTO_DATAGRAM = 0x02;
    public static final int PROTO_CONTROL = 0x03;
    public static final int MAX_PAYLOAD = 0xFFFF;

    public Packet {
        if ((flags & ~0xF) != 0 || (protocol & ~0xFF) != 0 || (window & ~0xFFFF) != 0
                || (srcPort & ~0xFFFF) != 0 || (dstPort & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("header field out of range");
        }
        if (src == null || dst == null) {
            throw new IllegalArgumentException("addresses required");
        }
        payload = payload == null ? new byte[0] : payload.clone();
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload over 65535 bytes");
        }
    }

    /** A copy of the payload. */
    @Override
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
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, newAck, newWindow, payload);
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
