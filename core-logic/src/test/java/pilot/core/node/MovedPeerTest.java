package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;

/**
 * A peer we hold a session with restarts on another port (same identity, re-registered there): its old endpoint
 * answers nothing. A node whose host can ask a registry ({@link PilotNode#reResolveUnansweredPeers}) asks for the
 * peer again once our traffic has gone unanswered for {@link PeerLinks#UNANSWERED_MILLIS}, handshakes with the new
 * endpoint, and reaches the peer without a restart of its own; the first failure stays visible.
 */
class MovedPeerTest {
    final Net net = new Net();
    final PilotNode a = net.add(NodeConfig.DEFAULTS);

    MovedPeerTest() {
        net.add(NodeConfig.DEFAULTS);
    }

    /** b dies after a session with a; the same identity comes back at port 4001 (the old 4000 reaches nobody). */
    private void restartBOnANewPort() {
        a.ping(net.addr(1), net.now);
        net.run(1_000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size(), "a session first");
        net.restart(1, NodeConfig.DEFAULTS, 99);
        net.endpoints.set(1, Endpoint.ipv4(10, 0, 0, 2, 4001));
        net.run(60_000); // minutes later, as in the report
        net.events.get(0).clear();
    }

    private int peerNeeded() {
        return net.eventsOf(0, NodeEvent.PeerNeeded.class).size();
    }

    @Test
    void theFirstPingTimesOutAndTheNextReachesThePeerAtItsNewEndpoint() {
        a.reResolveUnansweredPeers();
        restartBOnANewPort();
        a.ping(net.addr(1), net.now);
        net.run(5_500);
        assertEquals(ErrorCode.TIMED_OUT, net.eventsOf(0, NodeEvent.PingTimeout.class).get(0).error());
        assertEquals(1, peerNeeded(), "the timeout made a ask where b is now");
        a.ping(net.addr(1), net.now);
        net.run(1_000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size(), "b answers at its new endpoint");
    }

    @Test
    void withoutTheRuleEveryPingGoesToTheDeadEndpoint() {
        restartBOnANewPort(); // what the JVM host and a Worker did before: the test above must be able to fail
        for (int i = 0; i < 3; i++) {
            a.ping(net.addr(1), net.now);
            net.run(6_000);
        }
        assertEquals(3, net.eventsOf(0, NodeEvent.PingTimeout.class).size());
        assertEquals(0, peerNeeded());
    }

    @Test
    void aStreamOpenedAfterTheRestartGetsThroughOnItsRetransmissions() {
        a.reResolveUnansweredPeers();
        restartBOnANewPort();
        byte[] data = new SeededEntropy(3).bytes(20_000);
        int s = a.openStream(net.addr(1), Ports.ECHO, net.now).value();
        net.run(100);
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        long deadline = net.now + 30_000;
        boolean written = false;
        while (back.size() < data.length && net.now < deadline) {
            net.run(50);
            if (!written && !net.eventsOf(0, NodeEvent.StreamOpened.class).isEmpty()) {
                assertEquals(data.length, a.write(s, data, net.now).value());
                written = true;
            }
            if (written) {
                byte[] chunk = a.read(s, 1 << 20, net.now).value();
                back.write(chunk, 0, chunk.length);
            }
        }
        assertArrayEquals(data, back.toByteArray(), "echoed by the restarted b");
        assertTrue(net.eventsOf(0, NodeEvent.StreamClosed.class).isEmpty(), "no failure");
        assertEquals(1, peerNeeded());
    }

    @Test
    void aPeerThatStaysGoneIsAskedForAtMostOncePerUnansweredMillis() {
        a.reResolveUnansweredPeers();
        restartBOnANewPort();
        net.endpoints.set(1, Endpoint.ipv4(10, 0, 0, 2, 4000)); // the registry still says the old, dead endpoint
        net.pass = (from, to) -> to != 1; // and b answers nothing
        for (int i = 0; i < 60; i++) { // a ping a second for a minute
            a.ping(net.addr(1), net.now);
            net.run(1_000);
        }
        int asks = peerNeeded();
        assertTrue(asks >= 2 && asks <= 60_000 / PeerLinks.UNANSWERED_MILLIS, "asks: " + asks);
        assertEquals(0, net.eventsOf(0, NodeEvent.Pong.class).size());
    }
}
