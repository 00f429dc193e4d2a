package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;

/** Each node-level bound, hit: refused or dropped and counted, memory flat. */
class NodeBoundsTest {
    @Test
    void packetsWaitingForASessionAreBounded() {
        Net net = new Net() {
            @Override
            void onEvent(int node, NodeEvent e) {
                // the host never answers PEER_NEEDED: traffic waits for a session that never comes
            }
        };
        PilotNode a = net.add(NodeConfig.DEFAULTS);
        Address nowhere = new Address(0, 4242);
        for (int i = 0; i < 1000; i++) {
            assertTrue(a.sendDatagram(nowhere, 1000, new byte[100], net.now).isOk());
        }
        assertEquals(1000 - NodeConfig.DEFAULTS.maxQueuedPerPeer(), a.droppedCount(ErrorCode.LIMIT_REACHED));
        assertTrue(a.bufferedBytes() <= NodeConfig.DEFAULTS.maxQueuedPerPeer() * 200L, "queue bytes " + a.bufferedBytes());
        assertEquals(1, net.eventsOf(0, NodeEvent.PeerNeeded.class).size() + countPending(a), "asked once");
    }

    private static int countPending(PilotNode n) {
        int c = 0;
        for (NodeEvent e = n.pollEvent(); e != null; e = n.pollEvent()) {
            c++;
        }
        return c;
    }

    @Test
    void datagramEventsBeyondTheEventQueueAreDropped() {
        NodeConfig small = new NodeConfig(NodeConfig.DEFAULTS.profile(), NodeConfig.DEFAULTS.handshake(), NodeConfig.DEFAULTS.stream(),
                NodeConfig.DEFAULTS.streams(), true, false, 1000, 8000, 6, 256, 5000, 50, 65536, 64);
        Net net = new Net() {
            @Override
            void onEvent(int node, NodeEvent e) {
                if (e instanceof NodeEvent.PeerNeeded) {
                    super.onEvent(node, e);
                }
            }
        };
        PilotNode receiver = net.add(small);
        PilotNode sender = net.add(NodeConfig.DEFAULTS);
        receiver.listen(1000);
        sender.ping(receiver.address(), net.now);
        net.run(500);
        // the receiving application stops polling events; the sender keeps sending
        net.events.set(0, new java.util.ArrayList<>());
        Net quiet = net;
        for (int i = 0; i < 200; i++) {
            sender.sendDatagram(receiver.address(), 1000, new byte[] {(byte) i}, quiet.now);
            drainTransmitsOnly(quiet);
        }
        assertTrue(receiver.droppedCount(ErrorCode.LIMIT_REACHED) >= 150 - 50, "dropped " + receiver.droppedCount(ErrorCode.LIMIT_REACHED));
    }

    /** Delivers datagrams without letting the receiving node's events be polled. */
    private static void drainTransmitsOnly(Net net) {
        for (int i = 0; i < net.nodes.size(); i++) {
            PilotNode n = net.nodes.get(i);
            for (Transmit t = n.pollTransmit(); t != null; t = n.pollTransmit()) {
                int to = net.indexOf(t.to());
                if (to >= 0) {
                    net.nodes.get(to).handleDatagram(net.endpoints.get(i), t.datagram(), net.now);
                }
            }
        }
        for (Transmit t = net.nodes.get(0).pollTransmit(); t != null; t = net.nodes.get(0).pollTransmit()) {
            net.nodes.get(1).handleDatagram(net.endpoints.get(0), t.datagram(), net.now);
        }
    }
}
