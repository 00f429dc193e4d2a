package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Endpoint;
import pilot.core.envelope.Session;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.FrameKind;
import pilot.core.frame.TunnelFrame;

/**
 * The "peer moved" rule, in the core once for every host: a peer we hold a session with (or handshake with) that
 * the host names at another endpoint than the one the session uses (it restarted on another port and re-registered)
 * gets a fresh handshake there at once, and our traffic waits for the new session; named at the same endpoint,
 * nothing changes. The session's own endpoint is what is compared, so a node restored from its snapshot (a Worker
 * woken after the move, with no earlier registry answer to compare with) follows the move too.
 */
class PeerMovedTest {
    static final int PORT = 2000;
    static final Endpoint MOVED = Endpoint.ipv4(10, 0, 7, 7, 4100);

    record Sent(int from, int to, TunnelFrame frame) {
    }

    final Net net = new Net();
    PilotNode a = net.add(NodeConfig.DEFAULTS);
    PilotNode b = net.add(NodeConfig.DEFAULTS);
    /** Every frame on the wire; {@code to} is -1 for an endpoint no node is at (a dead port). */
    final List<Sent> wire = new ArrayList<>();

    PeerMovedTest() {
        net.tap = (from, to, bytes) -> wire.add(new Sent(from, to, FrameCodec.decode(bytes).value()));
    }

    int bNode() {
        return b.address().node();
    }

    /** A's first datagram to B sets up their session. */
    void session() {
        b.listen(PORT);
        a.sendDatagram(b.address(), PORT, new byte[] {1}, net.now);
        net.run(200);
        assertTrue(a.hasSession(bNode()) && b.hasSession(a.address().node()));
    }

    /** B restarts (same identity, nothing of its sessions) on another UDP port: what goes to the old one is lost. */
    void bRestartsElsewhere() {
        b = net.restart(1, NodeConfig.DEFAULTS, 77);
        net.endpoints.set(1, MOVED);
        net.events.get(1).clear();
        b.listen(PORT);
    }

    /** What A put on the wire from wire position {@code since} on. */
    List<Sent> fromA(int since) {
        return wire.subList(since, wire.size()).stream().filter(s -> s.from == 0).toList();
    }

    /**
     * A names B at {@link #MOVED} and sends {@code payload} at once; asserts the next frame A sends is a PILA to
     * B's new endpoint, that the payload waited for the new session, and that B then got {@code delivered} (the
     * first bytes of its datagrams, in order).
     */
    void namedElsewhereHandshakesAfresh(PilotNode from, byte[] payload, Integer... delivered) {
        net.run(Tunnel.MOVE_LIVE_MILLIS); // as after a ping timeout: nothing authenticated from B for that long
        int since = wire.size();
        from.addPeer(bNode(), MOVED, net.now);
        from.sendDatagram(b.address(), PORT, payload, net.now);
        net.drain();
        List<Sent> sent = fromA(since);
        assertEquals(1, sent.size(), "one frame before B answers: the PILA; the payload waits: " + sent);
        assertEquals(FrameKind.AUTH_KEY, sent.get(0).frame.kind(), "a fresh handshake");
        assertEquals(1, sent.get(0).to, "to B's new endpoint");
        net.run(500);
        List<NodeEvent.Datagram> got = net.eventsOf(1, NodeEvent.Datagram.class);
        assertEquals(List.of(delivered), got.stream().map(d -> (int) d.data()[0]).toList(), "delivered after the new session");
        assertArrayEquals(payload, got.get(got.size() - 1).data());
        assertTrue(from.hasSession(bNode()) && b.hasSession(from.address().node()));
    }

    @Test
    void aPeerWithASessionNamedAtAnotherEndpointGetsAFreshHandshakeThere() {
        session();
        bRestartsElsewhere();
        namedElsewhereHandshakesAfresh(a, new byte[] {2, 2}, 2);
    }

    @Test
    void aPeerNamedAtTheEndpointItsSessionUsesChangesNothing() {
        session();
        Session before = a.keyExchange().session(bNode());
        a.addPeer(bNode(), net.endpoints.get(1), net.now);
        assertNull(a.pollTransmit(), "no frame");
        assertSame(before, a.keyExchange().session(bNode()), "the session stays");
    }

    @Test
    void aHandshakeInFlightNamedAtAnotherEndpointStartsAgainThereAtOnce() {
        a.addPeer(bNode(), net.endpoints.get(1), net.now);
        bRestartsElsewhere(); // B left before our first PILA: it goes to the dead port
        a.sendDatagram(b.address(), PORT, new byte[] {3}, net.now);
        net.drain();
        assertEquals(-1, fromA(0).get(0).to, "the first PILA went to the old endpoint");
        namedElsewhereHandshakesAfresh(a, new byte[] {4}, 3, 4);
    }

    @Test
    void aPeerThatJustProvedItselfWhereItIsKeepsItsEndpointAndSession() {
        // a NAT that maps B's port (the registry names the announced one), or an answer older than B's own traffic:
        // B's authenticated frames come from the endpoint in use, so an answer naming another does not move it
        session();
        a.ping(b.address(), net.now);
        net.run(200); // B's pong: a frame of B that opened at A just now
        Session before = a.keyExchange().session(bNode());
        Endpoint where = net.endpoints.get(1);
        int since = wire.size();
        a.addPeer(bNode(), MOVED, net.now);
        assertNull(a.pollTransmit(), "no handshake");
        assertSame(before, a.keyExchange().session(bNode()), "the working session stays");
        a.sendDatagram(b.address(), PORT, new byte[] {9}, net.now);
        net.run(200);
        assertEquals(List.of(1, 9), net.eventsOf(1, NodeEvent.Datagram.class).stream().map(d -> (int) d.data()[0]).toList(),
                "still delivered where B is");
        assertTrue(fromA(since).stream().allMatch(x -> x.to == 1), "nothing to the named endpoint");
        assertEquals(where, net.endpoints.get(1));
    }

    /** A restores its sessions (a Worker woken from storage); the host's first answer for B is all it has. */
    PilotNode aRestored() {
        session();
        byte[] snap = a.snapshot(net.now);
        a = net.restart(0, NodeConfig.DEFAULTS, 4242);
        assertEquals(1, a.restore(snap, net.now).value());
        assertEquals(new NodeEvent.PeerNeeded(b.address()), a.pollEvent(), "the restored peer is looked up again");
        return a;
    }

    @Test
    void aRestoredSessionWhosePeerMovedMeanwhileGetsAFreshHandshake() {
        PilotNode restored = aRestored();
        bRestartsElsewhere();
        namedElsewhereHandshakesAfresh(restored, new byte[] {5}, 5);
    }

    @Test
    void aRestoredSessionConfirmedAtItsEndpointIsKept() {
        PilotNode restored = aRestored();
        Session before = restored.keyExchange().session(bNode());
        restored.addPeer(bNode(), net.endpoints.get(1), net.now);
        assertNull(restored.pollTransmit(), "no frame");
        assertSame(before, restored.keyExchange().session(bNode()), "the restored session stays");
    }
}
