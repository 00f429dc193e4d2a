package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.PeerTable;

/**
 * The re-ask, in the core once for every host: a ping of ours that got no pong (PING_TIMEOUT, TIMED_OUT) makes the
 * node ask its host where that peer is now (PEER_NEEDED), since the peer may have restarted on another port while
 * our session points at the dead one; the host's answer naming another endpoint gets a fresh handshake there
 * ({@link PeerMovedTest}). At most once per {@link PeerLinks#REASK_MILLIS} per peer (the ping sent right after an
 * ask, before its answer, times out too), remembered in the peer's own entry of the one peer table: no map of its
 * own, and a ping whose peer's entry is gone asks nothing and makes none. Only our own pings ask, never a frame.
 */
class ReAskTest {
    static final Endpoint MOVED = Endpoint.ipv4(10, 0, 7, 7, 4100);

    final Net net = new Net();
    PilotNode a = net.add(NodeConfig.DEFAULTS);
    PilotNode b = net.add(NodeConfig.DEFAULTS);

    /** A pings B once and gets its pong: a session, and A's events cleared. */
    void session() {
        a.ping(b.address(), net.now);
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size(), "a session first");
        net.events.get(0).clear();
    }

    /** The PEER_NEEDED events A emitted for {@code peer} so far. */
    long asked(Address peer) {
        return net.eventsOf(0, NodeEvent.PeerNeeded.class).stream().filter(e -> e.peer().equals(peer)).count();
    }

    @Test
    void aPingThatTimesOutAsksWhereItsPeerIsAtMostOncePerReAskMillis() {
        session();
        net.pass = (from, to) -> to != 1; // B is gone: nothing reaches it any more
        long t0 = net.now;
        a.ping(b.address(), net.now);
        net.run(NodeConfig.DEFAULTS.pingTimeoutMillis());
        List<NodeEvent> events = net.events.get(0);
        assertEquals(List.of(new NodeEvent.PingTimeout(2, b.address(), ErrorCode.TIMED_OUT), new NodeEvent.PeerNeeded(b.address())),
                events, "the timeout, then the ask");

        a.ping(b.address(), net.now); // sent right after the ask: it times out too, inside REASK_MILLIS
        net.run(NodeConfig.DEFAULTS.pingTimeoutMillis());
        assertEquals(2, net.eventsOf(0, NodeEvent.PingTimeout.class).size());
        assertEquals(1, asked(b.address()), "a second timeout " + (net.now - t0) + " ms after the first ask: no ask");

        a.ping(b.address(), net.now);
        net.run(NodeConfig.DEFAULTS.pingTimeoutMillis());
        assertTrue(net.now - t0 - NodeConfig.DEFAULTS.pingTimeoutMillis() >= PeerLinks.REASK_MILLIS);
        assertEquals(3, net.eventsOf(0, NodeEvent.PingTimeout.class).size());
        assertEquals(2, asked(b.address()), "REASK_MILLIS after the first ask, a timeout asks again");
    }

    @Test
    void aPeerRestartedOnAnotherPortIsReachedAgainAfterOnePingTimeout() {
        session();
        b = net.restart(1, NodeConfig.DEFAULTS, 77); // same identity, nothing of its sessions, another UDP port
        net.endpoints.set(1, MOVED); // what the host's answer (Net.onEvent: the registry) names now
        a.ping(b.address(), net.now); // goes to the dead port
        net.run(NodeConfig.DEFAULTS.pingTimeoutMillis());
        assertEquals(1, net.eventsOf(0, NodeEvent.PingTimeout.class).size());
        assertEquals(1, asked(b.address()), "the timeout asked; the answer named B's new port: a fresh handshake there");
        a.ping(b.address(), net.now);
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size(), "the restarted B answers");
    }

    @Test
    void aReAskTheHostCannotAnswerLeavesAPeerWithASessionAndItsStreamsAlone() {
        boolean[] registryDown = {false};
        Net net = new Net() {
            @Override
            void onEvent(int node, NodeEvent e) {
                if (registryDown[0] && e instanceof NodeEvent.PeerNeeded x) {
                    nodes.get(node).peerLookupFailed(x.peer().node(), now); // the registry call failed
                    return;
                }
                super.onEvent(node, e);
            }
        };
        PilotNode a = net.add(NodeConfig.DEFAULTS);
        PilotNode b = net.add(NodeConfig.DEFAULTS);
        int stream = a.openStream(b.address(), 7, net.now).value(); // B's echo
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.StreamOpened.class).size(), "a stream first");
        net.events.get(0).clear();

        registryDown[0] = true;
        net.pass = (from, to) -> to != 1; // one ping (and only it) is lost on the way to B
        a.ping(b.address(), net.now);
        net.run(NodeConfig.DEFAULTS.pingTimeoutMillis());
        net.pass = (from, to) -> true;
        assertEquals(1, net.eventsOf(0, NodeEvent.PeerNeeded.class).size(), "the timeout asked");
        assertEquals(List.of(), net.eventsOf(0, NodeEvent.PeerUnreachable.class),
                "a look-up that failed proves nothing about a peer whose session works: it is not given up");
        assertEquals(List.of(), net.eventsOf(0, NodeEvent.StreamClosed.class), "its streams stay open");
        assertTrue(a.hasSession(b.address().node()));

        a.write(stream, new byte[] {'h', 'i'}, net.now);
        net.run(1000);
        assertEquals("hi", new String(a.read(stream, 100, net.now).value(), java.nio.charset.StandardCharsets.US_ASCII),
                "and still carries data");
        a.ping(b.address(), net.now);
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size(), "a later ping is answered");
    }

    @Test
    void strangersFramesAndPeersPingsNeverAsk() {
        PilotNode c = net.add(NodeConfig.DEFAULTS);
        session();
        b.ping(a.address(), net.now); // B's pings are B's: A answers them and waits for nothing
        net.pass = (from, to) -> from != 0 || to != 2; // C's pings get no pong from A: C times out, not A
        c.ping(a.address(), net.now);
        net.run(100);
        byte[] frame = net.frameAfterSession(b, a, 1000);
        frame[frame.length - 1] ^= 1; // B's sealed frame with a broken tag, from a stranger's endpoint
        for (int i = 0; i < 100; i++) {
            a.handleDatagram(Endpoint.ipv4(10, 9, 9, 9, 5000 + i), frame, net.now);
        }
        net.run(60_000);
        assertEquals(1, net.eventsOf(2, NodeEvent.PingTimeout.class).size(), "C's ping timed out at C");
        assertEquals(List.of(), net.eventsOf(0, NodeEvent.PeerNeeded.class), "A asked for nobody");
        assertEquals(List.of(), net.eventsOf(0, NodeEvent.PingTimeout.class));
    }

    @Test
    void theAskIsRememberedInThePeersEntryAndATimeoutWithoutOneMakesNone() {
        NodeConfig d = NodeConfig.DEFAULTS;
        long longPing = 2 * PeerTable.IDLE_SESSION_MILLIS; // outlives B's session in a table of two
        NodeConfig small = new NodeConfig(d.profile(), HandshakeLimits.DEFAULTS.withMaxPeers(2, 2), d.stream(), d.streams(),
                d.echoService(), d.acceptPlaintext(), d.handshakeRetryMillis(), d.handshakeMaxRetryMillis(), d.handshakeTries(),
                d.maxQueuedPerPeer(), longPing, d.maxEvents(), d.maxTransmits(), d.maxStashedKeyFrames());
        Net net = new Net();
        PilotNode a = net.add(small);
        PilotNode b = net.add(NodeConfig.DEFAULTS);
        PilotNode c = net.add(NodeConfig.DEFAULTS);
        PilotNode e = net.add(NodeConfig.DEFAULTS);
        a.ping(b.address(), net.now);
        net.run(1000);
        net.pass = (from, to) -> from != 1; // B falls silent
        a.ping(b.address(), net.now); // times out after longPing
        net.run(PeerTable.IDLE_SESSION_MILLIS);
        a.ping(c.address(), net.now);
        net.run(1000);
        a.ping(e.address(), net.now); // our own traffic takes the place of B's idle session (PeerTable)
        net.run(1000);
        assertFalse(a.hasSession(b.address().node()), "B's entry is gone");
        net.events.get(0).clear();

        net.run(longPing);
        assertEquals(List.of(new NodeEvent.PingTimeout(2, b.address(), ErrorCode.TIMED_OUT)), net.events.get(0),
                "the timeout, and no ask: the peer has no entry to remember it in, and none is made");
        assertEquals(2, a.peerCount(), "the table holds C and E, as before");
    }
}
