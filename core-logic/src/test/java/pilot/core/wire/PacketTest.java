package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;

/** The packet value (spec B.1): every header field is range-checked, and equality covers every field. */
class PacketTest {
    static final Address A = new Address(0, 1);
    static final Address B = new Address(0, 2);

    static Packet packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, int seq, int ack,
                         int window, byte[] payload) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, seq, ack, window, payload);
    }

    @Test
    void aHeaderFieldOutsideItsWireWidthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> packet(0x10, 1, A, B, 1, 2, 0, 0, 0, null), "flags are 4 bits");
        assertThrows(IllegalArgumentException.class, () -> packet(0, 256, A, B, 1, 2, 0, 0, 0, null), "protocol is a byte");
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, A, B, 1, 2, 0, 0, 65536, null), "window is 16 bits");
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, A, B, 65536, 2, 0, 0, 0, null), "ports are 16 bits");
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, A, B, 1, -1, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, null, B, 1, 2, 0, 0, 0, null), "addresses required");
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, A, null, 1, 2, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class, () -> packet(0, 1, A, B, 1, 2, 0, 0, 0, new byte[Packet.MAX_PAYLOAD + 1]));
    }

    @Test
    void packetsAreEqualExactlyWhenEveryFieldIs() {
        Packet p = packet(Packet.ACK, 1, A, B, 1, 2, 3, 4, 5, new byte[] {9});
        assertEquals(p, packet(Packet.ACK, 1, A, B, 1, 2, 3, 4, 5, new byte[] {9}));
        assertEquals(p.hashCode(), packet(Packet.ACK, 1, A, B, 1, 2, 3, 4, 5, new byte[] {9}).hashCode());
        List<Packet> others = List.of(
                packet(Packet.SYN, 1, A, B, 1, 2, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 2, A, B, 1, 2, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, B, B, 1, 2, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, A, 1, 2, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 9, 2, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 1, 9, 3, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 1, 2, 9, 4, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 1, 2, 3, 9, 5, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 1, 2, 3, 4, 9, new byte[] {9}),
                packet(Packet.ACK, 1, A, B, 1, 2, 3, 4, 5, new byte[] {8}));
        for (Packet o : others) {
            assertNotEquals(p, o, o.toString());
        }
        assertNotEquals(p, (Object) "not a packet");
    }
}
