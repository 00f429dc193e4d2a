package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.wire.Packet;

/** Ping (spec H.2) on its own: the packets, which pong ends which ping, and how pings end without one. */
class PingServiceTest {
    static final Address US = new Address(0, 1);
    static final Address PEER = new Address(0, 2);
    static final Address OTHER = new Address(0, 3);

    final PingService pings = new PingService();

    @Test
    void aPongMirrorsThePingAsSpecHTwoSays() {
        Packet ping = PingService.request(US, PEER, 49200, 7, 1_000);
        assertEquals(Packet.PROTO_CONTROL, ping.protocol());
        assertEquals(Ports.PING, ping.dstPort());
        assertEquals(7, ping.seq());
        assertEquals(8, ping.payloadLength(), "the payload carries the send time");
        Packet pong = PingService.pong(PEER, ping);
        assertEquals(Packet.ACK, pong.flags());
        assertEquals(Ports.PING, pong.srcPort());
        assertEquals(49200, pong.dstPort());
        assertEquals(7, pong.seq());
        assertEquals(8, pong.ack());
        assertArrayEquals(ping.payload(), pong.payload());
    }

    @Test
    void onlyTheRightPeerOnTheRightPortEndsAPing() {
        int id = pings.nextId();
        pings.sent(id, PEER, 49200, 1_000, 5_000);
        Packet ping = PingService.request(US, PEER, 49200, id, 1_000);
        assertNull(pings.onPong(PingService.pong(OTHER, ping), 1_010), "another node's pong");
        assertNull(pings.onPong(PingService.pong(PEER, PingService.request(US, PEER, 49201, id, 1_000)), 1_010), "another port");
        assertNull(pings.onPong(PingService.pong(PEER, PingService.request(US, PEER, 49200, id + 1, 1_000)), 1_010), "another id");
        assertEquals(new NodeEvent.Pong(id, PEER, 30), pings.onPong(PingService.pong(PEER, ping), 1_030), "round trip in ms");
        assertNull(pings.onPong(PingService.pong(PEER, ping), 1_040), "a duplicate pong ends nothing");
        assertEquals(Long.MAX_VALUE, pings.nextDeadline());
    }

    @Test
    void pingsEndByDeadlineOrWhenTheirPeerIsUnreachable() {
        int a = pings.nextId();
        int b = pings.nextId();
        int c = pings.nextId();
        pings.sent(a, PEER, 49200, 1_000, 5_000);
        pings.sent(b, OTHER, 49201, 2_000, 5_000);
        pings.sent(c, PEER, 49202, 3_000, 5_000);
        assertEquals(6_000, pings.nextDeadline());
        assertEquals(List.of(), pings.expire(5_999));
        assertEquals(List.of(new NodeEvent.PingTimeout(a, PEER, ErrorCode.TIMED_OUT)), pings.expire(6_000));
        assertEquals(List.of(new NodeEvent.PingTimeout(c, PEER, ErrorCode.PEER_UNREACHABLE)), pings.failPeer(PEER));
        assertEquals(7_000, pings.nextDeadline(), "only the ping to the other node is left");
    }
}
