package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.frame.BeaconFrame;
import pilot.core.frame.PlainFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.wire.Packet;

/**
 * The node's edges: plaintext frames (refused unless enabled), packets that are not for us or for nothing
 * we run, application calls with arguments that cannot be right, a full peer table, and the echo port
 * switched off. Each case is dropped and counted or refused with a typed error, never thrown.
 */
class NodeInputEdgesTest {
    static final Endpoint FROM = Endpoint.ipv4(10, 0, 0, 9, 4000);
    final Net net = new Net();

    static byte[] plain(Packet p) {
        return new PlainFrame(p).encode();
    }

    static Packet packet(int flags, int protocol, Address src, Address dst, int srcPort, int dstPort, byte[] payload) {
        return new Packet(flags, protocol, src, dst, srcPort, dstPort, 0, 0, 0, payload);
    }

    @Test
    void plaintextFramesAreRefusedUnlessEnabledAndBeaconFramesAlways() {
        PilotNode n = net.add(NodeConfig.DEFAULTS);
        Address peer = new Address(0, 55);
        n.listen(1001);
        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_DATAGRAM, peer, n.address(), 5, 1001, new byte[] {1})), net.now);
        n.handleDatagram(FROM, new BeaconFrame(BeaconFrame.DISCOVER, new byte[0]).encode(), net.now);
        assertEquals(2, n.droppedCount(ErrorCode.REFUSED));
        assertNull(n.pollEvent(), "nothing reached the application");
    }

    @Test
    void plaintextPacketsReachOnlyWhatRunsOnTheNode() {
        PilotNode n = net.add(NodeConfig.DEFAULTS.withPlaintext(true));
        Address peer = new Address(0, 55);
        n.listen(1001);
        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_DATAGRAM, peer, n.address(), 5, 1001, new byte[] {1})), net.now);
        NodeEvent e = n.pollEvent();
        assertTrue(e instanceof NodeEvent.Datagram, "an accepted plaintext datagram is delivered");

        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_DATAGRAM, peer, new Address(0, 56), 5, 1001, new byte[] {1})), net.now);
        assertEquals(1, n.droppedCount(ErrorCode.INVALID_ARGUMENT), "not addressed to us");
        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_DATAGRAM, peer, n.address(), 5, 1001, null)), net.now);
        n.handleDatagram(FROM, plain(packet(0, 0x7F, peer, n.address(), 5, 1001, new byte[] {1})), net.now);
        n.handleDatagram(FROM, plain(packet(Packet.ACK, Packet.PROTO_CONTROL, peer, n.address(), 9, 9, null)), net.now);
        n.handleDatagram(FROM, plain(packet(Packet.ACK, Packet.PROTO_CONTROL, peer, n.address(), Ports.PING, 9, null)), net.now);
        assertEquals(4, n.droppedCount(ErrorCode.REFUSED),
                "an empty datagram, an unknown protocol, a control packet for no port, a pong nobody asked for");
        assertNull(n.pollEvent());
    }

    @Test
    void aPlaintextPingIsAnsweredThroughTheTunnel() {
        PilotNode n = net.add(NodeConfig.DEFAULTS.withPlaintext(true));
        Address peer = new Address(0, 55);
        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_CONTROL, peer, n.address(), 50000, Ports.PING, new byte[8])), net.now);
        assertEquals(new NodeEvent.PeerNeeded(peer), n.pollEvent(), "the pong waits for a session with the sender");
        assertTrue(n.bufferedBytes() > 0, "the pong is queued for the peer");
    }

    @Test
    void applicationCallsWithImpossibleArgumentsAreRefused() {
        PilotNode n = net.add(NodeConfig.DEFAULTS);
        Address self = n.address();
        Address peer = new Address(0, 55);
        for (Address bad : new Address[] {null, new Address(0, Address.BROADCAST_NODE), self, Address.ZERO}) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, n.openStream(bad, 80, net.now).error(), String.valueOf(bad));
            assertEquals(ErrorCode.INVALID_ARGUMENT, n.ping(bad, net.now).error());
            assertEquals(ErrorCode.INVALID_ARGUMENT, n.sendDatagram(bad, 80, new byte[1], net.now).error());
        }
        assertEquals(ErrorCode.INVALID_ARGUMENT, n.sendDatagram(peer, 80, null, net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, n.sendDatagram(peer, 80, new byte[Packet.MAX_PAYLOAD + 1], net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, n.sendDatagram(peer, 70_000, new byte[1], net.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, n.write(1, null, net.now).error());
        assertNull(n.pollTransmit(), "nothing was sent for any of them");
    }

    @Test
    void aFullPeerTableRefusesNewPeersUntilAnIdleOneCanBeEvicted() {
        PilotNode n = net.add(NodeConfig.DEFAULTS.withHandshake(HandshakeLimits.DEFAULTS.withMaxPeers(1, 1)));
        Address x = new Address(0, 55);
        Address y = new Address(0, 56);
        assertTrue(n.sendDatagram(x, 80, new byte[1], net.now).isOk(), "queued while x is looked up");
        assertEquals(ErrorCode.LIMIT_REACHED, n.sendDatagram(y, 80, new byte[1], net.now).error(),
                "x's link holds traffic: it is not evicted");
        assertEquals(ErrorCode.LIMIT_REACHED, n.ping(y, net.now).error());
        n.peerLookupFailed(x.node(), net.now);
        assertTrue(n.sendDatagram(y, 80, new byte[1], net.now).isOk(), "x failed and is idle: y takes its place");
        assertEquals(1, n.peerCount());
    }

    @Test
    void lookupAnswersForPeersNobodyAskedAboutChangeNothing() {
        PilotNode n = net.add(NodeConfig.DEFAULTS);
        n.peerLookupFailed(77, net.now);
        assertEquals(0, n.peerCount(), "a failed look-up nobody asked for makes no peer");
        n.addPeer(78, FROM, net.now);
        assertNull(n.pollTransmit(), "a resolved peer with no traffic waiting gets no handshake");
        assertFalse(n.rehandshake(78, net.now), "no session: nothing to redo");
        assertFalse(n.rehandshake(79, net.now), "unknown peer");
    }

    @Test
    void rehandshakeStartsOnlyWithASessionAndNoHandshakeRunning() {
        PilotNode a = net.add(NodeConfig.DEFAULTS);
        PilotNode b = net.add(NodeConfig.DEFAULTS);
        a.ping(b.address(), net.now);
        net.run(500);
        assertTrue(a.rehandshake(b.address().node(), net.now));
        assertFalse(a.rehandshake(b.address().node(), net.now), "one is running already");
        net.run(500);
        assertTrue(a.hasSession(b.address().node()));
    }

    @Test
    void withTheEchoServiceOffPort7IsAnOrdinaryUnboundPort() {
        PilotNode a = net.add(NodeConfig.DEFAULTS);
        PilotNode b = net.add(NodeConfig.DEFAULTS.withEcho(false));
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(1000);
        List<NodeEvent.StreamClosed> closed = net.eventsOf(0, NodeEvent.StreamClosed.class);
        assertEquals(1, closed.size());
        assertEquals(s, closed.get(0).stream());
        assertEquals(ErrorCode.REFUSED, closed.get(0).error());
    }

    @Test
    void eventsWithPayloadCountAsBufferedUntilPolled() {
        PilotNode n = net.add(NodeConfig.DEFAULTS.withPlaintext(true));
        n.listen(1001);
        n.handleDatagram(FROM, plain(packet(0, Packet.PROTO_DATAGRAM, new Address(0, 55), n.address(), 5, 1001, new byte[100])),
                net.now);
        assertEquals(100, n.bufferedBytes());
        assertNotNull(n.pollEvent());
        assertEquals(0, n.bufferedBytes());
    }
}
