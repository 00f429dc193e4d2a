package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;

class PilotNodeTest {
    final Net net = new Net();
    final PilotNode a = net.add(NodeConfig.DEFAULTS);
    final PilotNode b = net.add(NodeConfig.DEFAULTS);

    /** Reads everything a stream delivers until its end; fails on error close. */
    static byte[] readAll(Net net, int node, int stream, long maxMs) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        long end = net.now + maxMs;
        PilotNode n = net.nodes.get(node);
        while (net.now < end) {
            byte[] chunk = n.read(stream, 1 << 20, net.now).value();
            got.write(chunk, 0, chunk.length);
            if (n.atEof(stream) && chunk.length == 0) {
                return got.toByteArray();
            }
            net.run(5);
        }
        throw new AssertionError("no end of stream after " + got.size() + " bytes");
    }

    @Test
    void pingHandshakesOnDemandAndGetsAPong() {
        int id = a.ping(b.address(), net.now).value();
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.PeerNeeded.class).size(), "a asked its host to resolve b once");
        List<NodeEvent.Pong> pongs = net.eventsOf(0, NodeEvent.Pong.class);
        assertEquals(1, pongs.size());
        assertEquals(id, pongs.get(0).ping());
        assertEquals(b.address(), pongs.get(0).peer());
        assertTrue(pongs.get(0).rttMillis() >= 20, "at least one round trip of 2 x 10 ms (plus the handshake)");
        assertTrue(a.hasSession(b.address().node()) && b.hasSession(a.address().node()));
        assertFalse(net.eventsOf(0, NodeEvent.PeerUp.class).isEmpty());
    }

    @Test
    void pingWithoutAnswerTimesOut() {
        net.pass = (x, y) -> false;
        int id = a.ping(b.address(), net.now).value();
        net.run(60_000);
        List<NodeEvent.PingTimeout> t = net.eventsOf(0, NodeEvent.PingTimeout.class);
        assertEquals(1, t.size());
        assertEquals(id, t.get(0).ping());
        assertEquals(1, net.eventsOf(0, NodeEvent.PeerUnreachable.class).size(), "the handshake gave up after its tries");
    }

    @Test
    void datagramsReachOnlyListeningPorts() {
        b.listen(1001);
        a.sendDatagram(b.address(), 1001, new byte[] {1, 2, 3}, net.now);
        a.sendDatagram(b.address(), 1002, new byte[] {4}, net.now);
        net.run(500);
        List<NodeEvent.Datagram> got = net.eventsOf(1, NodeEvent.Datagram.class);
        assertEquals(1, got.size());
        assertArrayEquals(new byte[] {1, 2, 3}, got.get(0).data());
        assertEquals(a.address(), got.get(0).peer());
        assertEquals(1001, got.get(0).localPort());
        assertTrue(got.get(0).remotePort() >= Ports.EPHEMERAL_FIRST);
        assertEquals(1, b.droppedCount(ErrorCode.REFUSED));
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.sendDatagram(b.address(), 1001, new byte[0], net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.sendDatagram(a.address(), 1001, new byte[1], net.now).error());
    }

    @Test
    void echoServiceReturnsEveryByteOfALargeStream() {
        byte[] data = new SeededEntropy(3).bytes(300_000);
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        int off = 0;
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        long end = net.now + 60_000;
        boolean closed = false;
        while (net.now < end) {
            if (off < data.length) {
                int n = a.write(s, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 16384)), net.now).value();
                off += n;
            } else if (!closed) {
                a.closeStream(s, net.now);
                closed = true;
            }
            byte[] chunk = a.read(s, 1 << 20, net.now).value();
            back.write(chunk, 0, chunk.length);
            if (a.atEof(s) && chunk.length == 0 && closed) {
                break;
            }
            net.run(5);
        }
        assertArrayEquals(data, back.toByteArray());
        net.run(30_000);
        List<NodeEvent.StreamClosed> closedEvents = net.eventsOf(0, NodeEvent.StreamClosed.class);
        assertEquals(1, closedEvents.size());
        assertNull(closedEvents.get(0).error(), "clean close in both directions");
        assertEquals(0, a.streamCount());
        assertEquals(0, b.streamCount());
    }

    @Test
    void aWriteOfARangeSendsExactlyThoseBytesAndABadRangeIsAnError() {
        byte[] data = new SeededEntropy(4).bytes(5000);
        b.listen(1000);
        int s = a.openStream(b.address(), 1000, net.now).value();
        net.run(500);
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, data, -1, 10, net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, data, 4990, 11, net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, null, 0, 0, net.now).error());
        assertEquals(3000, a.write(s, data, 1000, 3000, net.now).value());
        a.closeStream(s, net.now);
        int accepted = net.eventsOf(1, NodeEvent.StreamAccepted.class).get(0).stream();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 4000), readAll(net, 1, accepted, 10_000));
    }

    @Test
    void streamToAnUnboundPortIsRefused() {
        int s = a.openStream(b.address(), 4444, net.now).value();
        net.run(2000);
        List<NodeEvent.StreamClosed> closed = net.eventsOf(0, NodeEvent.StreamClosed.class);
        assertEquals(1, closed.size());
        assertEquals(s, closed.get(0).stream());
        assertEquals(ErrorCode.REFUSED, closed.get(0).error());
    }

    @Test
    void acceptedStreamCarriesDataBothWaysWithHalfClose() {
        b.listen(1000);
        int s = a.openStream(b.address(), 1000, net.now).value();
        net.run(200);
        assertEquals(1, net.eventsOf(0, NodeEvent.StreamOpened.class).size());
        NodeEvent.StreamAccepted acc = net.eventsOf(1, NodeEvent.StreamAccepted.class).get(0);
        assertEquals(a.address(), acc.peer());
        assertEquals(1000, acc.localPort());
        int t = acc.stream();
        a.write(s, "request".getBytes(), net.now);
        a.closeStream(s, net.now);
        assertEquals("request", new String(readAll(net, 1, t, 5000)));
        // b still writes after a's FIN (half-close), then closes
        b.write(t, "response".getBytes(), net.now);
        b.closeStream(t, net.now);
        assertEquals("response", new String(readAll(net, 0, s, 5000)));
        assertEquals(ErrorCode.INVALID_STATE, a.write(s, new byte[1], net.now).error());
    }

    @Test
    void abortResetsThePeersStream() {
        b.listen(1000);
        int s = a.openStream(b.address(), 1000, net.now).value();
        net.run(200);
        a.abortStream(s, net.now);
        net.run(200);
        NodeEvent.StreamClosed closed = net.eventsOf(1, NodeEvent.StreamClosed.class).get(0);
        assertEquals(ErrorCode.STREAM_RESET, closed.error());
    }

    @Test
    void lossyLinkStillDeliversEverythingInOrder() {
        SeededEntropy rng = new SeededEntropy(99);
        net.pass = (x, y) -> Long.remainderUnsigned(rng.nextLong(), 100) >= 10; // 10% loss both ways
        b.listen(1000);
        byte[] data = new SeededEntropy(5).bytes(200_000);
        int s = a.openStream(b.address(), 1000, net.now).value();
        net.run(10_000);
        int t = net.eventsOf(1, NodeEvent.StreamAccepted.class).get(0).stream();
        int off = 0;
        while (off < data.length) {
            off += a.write(s, java.util.Arrays.copyOfRange(data, off, data.length), net.now).value();
            net.run(20);
        }
        a.closeStream(s, net.now);
        assertArrayEquals(data, readAll(net, 1, t, 300_000));
    }

    @Test
    void restartedPeerIsReachedAgainWithFreshKeys() {
        int first = a.ping(b.address(), net.now).value();
        net.run(1000);
        assertEquals(1, net.eventsOf(0, NodeEvent.Pong.class).size());
        PilotNode b2 = net.restart(1, NodeConfig.DEFAULTS, 4242);
        net.run(10);
        // a still has the old session: its ping is sealed for a key b2 no longer has; b2 answers with PILA
        a.ping(b2.address(), net.now);
        net.run(20_000);
        a.ping(b2.address(), net.now);
        net.run(2_000);
        assertTrue(net.eventsOf(0, NodeEvent.Pong.class).size() >= 2, net.events.get(0).toString());
        assertTrue(first > 0);
    }

    @Test
    void unknownPeerLookupFailureFailsItsTraffic() {
        Net lone = new Net() {
            @Override
            void onEvent(int node, NodeEvent e) {
                if (e instanceof NodeEvent.PeerNeeded x) {
                    nodes.get(node).peerLookupFailed(x.peer().node(), now);
                }
            }
        };
        PilotNode x = lone.add(NodeConfig.DEFAULTS);
        int s = x.openStream(new Address(0, 999), 1000, lone.now).value();
        lone.run(100);
        assertEquals(ErrorCode.PEER_UNREACHABLE, lone.eventsOf(0, NodeEvent.StreamClosed.class).get(0).error());
        assertEquals(s, lone.eventsOf(0, NodeEvent.StreamClosed.class).get(0).stream());
    }
}
