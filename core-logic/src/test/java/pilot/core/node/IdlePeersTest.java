package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.PeerTable;

/**
 * The probe of Nov 30 at node level: a peer table full of sessions that went quiet, and a brand-new identity
 * the node must first look up (its PILA is stashed while the host resolves it). Once the quiet sessions have
 * been idle for {@link PeerTable#IDLE_SESSION_MILLIS}, the newcomer's verified PILA takes the place of the one
 * idle the longest that holds no stream, and its ping is answered.
 */
class IdlePeersTest {
    @Test
    void aNewIdentityGetsInWhenTheTableIsFullOfQuietSessionsAndAPeerWithAStreamStays() {
        byte[][] newcomerKey = new byte[1][];
        Net net = new Net() {
            @Override
            void onEvent(int node, NodeEvent e) {
                if (e instanceof NodeEvent.PeerNeeded x && nodes.size() > 5 && x.peer().equals(nodes.get(5).address())) {
                    trust.pin(x.peer().node(), newcomerKey[0]); // what the registry answers
                }
                super.onEvent(node, e);
            }
        };
        PilotNode victim = net.add(NodeConfig.DEFAULTS.withHandshake(HandshakeLimits.DEFAULTS.withMaxPeers(4, 2)));
        victim.listen(1000);
        PilotNode withStream = net.add(NodeConfig.DEFAULTS);
        assertTrue(withStream.openStream(victim.address(), 1000, net.now).isOk());
        net.run(1000);
        for (int i = 2; i <= 4; i++) {
            net.add(NodeConfig.DEFAULTS).ping(victim.address(), net.now);
            net.run(1000);
        }
        PilotNode newcomer = net.add(NodeConfig.DEFAULTS);
        newcomerKey[0] = net.trust.ed25519KeyFor(newcomer.address().node());
        net.trust.unpin(newcomer.address().node()); // a brand-new identity: the victim must look it up
        assertEquals(4, victim.keyExchange().peerCount(), "the table is full of sessions");

        net.pass = (from, to) -> !(from == 1 && to == 0); // the stream's peer falls silent; its stream stays
        net.run(PeerTable.IDLE_SESSION_MILLIS);
        newcomer.ping(victim.address(), net.now);
        net.run(3000);

        assertEquals(1, net.eventsOf(5, NodeEvent.Pong.class).size(), "the newcomer's ping is answered");
        assertTrue(victim.keyExchange().hasSession(newcomer.address().node()));
        assertFalse(victim.keyExchange().hasSession(net.addr(2).node()), "the quiet session idle the longest without a stream");
        assertTrue(victim.keyExchange().hasSession(net.addr(1).node()), "idle longer, but it holds a stream");
        assertEquals(1, victim.streamCount());
    }
}
