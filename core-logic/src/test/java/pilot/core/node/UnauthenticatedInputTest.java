package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.SeededEntropy;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Bytes;

/**
 * What a node does with frames nobody authenticated (issue 12, host part): they never drop or move a
 * session, never get a larger answer, and trigger a bounded number of look-ups. Time is the test's.
 */
class UnauthenticatedInputTest {
    static byte[] junkPils(int sender, long seed) {
        SeededEntropy r = new SeededEntropy(seed);
        return new SealedFrame(sender, r.bytes(12), r.bytes(16)).encode(); // 52 bytes: magic, id, nonce, tag
    }

    static byte[] pilk(int sender, int padTo) {
        byte[] f = new AnonKeyFrame(sender, Net.SUITE.x25519PublicKey(new SeededEntropy(sender).bytes(32))).encode();
        return Arrays.copyOf(f, Math.max(f.length, padTo));
    }

    @Test
    void forgedPilsAndPilkFromThePeersIpNeverInterruptItsStream() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        PilotNode honest = net.add(NodeConfig.DEFAULTS);
        victim.listen(1000);
        int honestNode = honest.address().node();
        Endpoint honestEp = net.endpoints.get(1);
        Endpoint attacker = new Endpoint(honestEp.ip(), honestEp.port() + 1); // same IP, another port
        List<byte[]> toStrangers = new ArrayList<>();
        net.tap = (from, to, bytes) -> {
            if (to < 0) {
                toStrangers.add(bytes);
            }
        };
        byte[] data = new SeededEntropy(5).bytes(1 << 20);
        int s = honest.openStream(victim.address(), 1000, net.now).value();
        net.run(500);
        int accepted = net.eventsOf(0, NodeEvent.StreamAccepted.class).get(0).stream();
        var session = victim.keyExchange().session(honestNode);
        assertNotNull(session);
        int off = 0;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int round = 0; round < 3000 && (got.size() < data.length || round < 800); round++) { // >= 8 s
            if (round % 50 == 0) {
                assertTrue(honest.ping(victim.address(), net.now).isOk());
            }
            if (off < data.length) {
                off += honest.write(s, Arrays.copyOfRange(data, off, Math.min(data.length, off + 8192)), net.now).value();
                if (off == data.length) {
                    honest.closeStream(s, net.now);
                }
            }
            for (int i = 0; i < 10; i++) {
                victim.handleDatagram(attacker, junkPils(honestNode, round * 10L + i), net.now);
                victim.handleDatagram(attacker, pilk(honestNode, 0), net.now);
            }
            byte[] chunk = victim.read(accepted, 1 << 20, net.now).value();
            got.write(chunk, 0, chunk.length);
            net.run(10);
            assertSame(session, victim.keyExchange().session(honestNode), "round " + round);
        }
        assertArrayEquals(data, got.toByteArray(), "the honest stream is complete");
        assertEquals(1, net.eventsOf(0, NodeEvent.PeerUp.class).size(), "one session, never re-established");
        assertTrue(victim.droppedCount(ErrorCode.AEAD_FAILED) > 1000);
        assertTrue(net.eventsOf(1, NodeEvent.Pong.class).size() >= 15, "pings answered throughout");
        assertTrue(toStrangers.isEmpty(), "nothing was sent to the attacker's address");
    }

    @Test
    void pilkIsNeverAnsweredWithMoreBytesThanItCarriedToAnUnverifiedSource() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        PilotNode peer = net.add(NodeConfig.DEFAULTS);
        int peerNode = peer.address().node();
        Endpoint stranger = Endpoint.ipv4(192, 0, 2, 9, 5000);
        victim.handleDatagram(stranger, pilk(peerNode, 0), net.now);
        assertNull(victim.pollTransmit(), "a 40-byte PILK from an unverified source gets no 136-byte PILA");
        assertEquals(0, victim.keyExchange().peerCount(), "and makes no state");
        victim.handleDatagram(stranger, pilk(peerNode, AuthKeyFrame.SIZE), net.now);
        Transmit t = victim.pollTransmit();
        assertNotNull(t, "a PILK at least as large as the answer may be answered");
        assertTrue(t.datagram().length <= AuthKeyFrame.SIZE);
        victim.addPeer(peerNode, net.endpoints.get(1), net.now); // now verified
        victim.handleDatagram(net.endpoints.get(1), pilk(peerNode, 0), net.now + 1000);
        Transmit again = victim.pollTransmit();
        assertNotNull(again, "from the verified endpoint a short PILK is answered there");
        assertEquals(net.endpoints.get(1), again.to());
    }

    @Test
    void unknownSendersTriggerBoundedLookupsWithANegativeCache() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        Endpoint attacker = Endpoint.ipv4(192, 0, 2, 9, 5000);
        long t0 = net.now;
        for (int id = 5000; id < 7000; id++) {
            victim.handleDatagram(attacker, junkPils(id, id), t0);
        }
        List<Integer> asked = needed(victim);
        assertEquals(10, asked.size(), "burst of 10 look-ups for 2,000 junk ids");
        assertTrue(victim.peerCount() <= 10, "no link made for ids that were not looked up");
        for (int id : asked) {
            victim.peerLookupFailed(id, t0 + 100);
        }
        drain(victim);
        // a second later the budget has refilled, but the failed ids are in the negative cache
        for (int id : asked) {
            victim.handleDatagram(attacker, junkPils(id, id + 1), t0 + 2000);
        }
        assertEquals(List.of(), needed(victim));
        // new ids are looked up at 10 per second
        for (int id = 9000; id < 9100; id++) {
            victim.handleDatagram(attacker, junkPils(id, id), t0 + 2000);
        }
        assertEquals(10, needed(victim).size());
        // after the negative period, the id may be looked up again
        victim.handleDatagram(attacker, junkPils(asked.get(0), 1), t0 + 100 + 30_000);
        assertEquals(List.of(asked.get(0)), needed(victim));
        // the application's own traffic is never refused by the negative cache
        victim.peerLookupFailed(asked.get(0), t0 + 31_000);
        drain(victim);
        victim.ping(new pilot.core.addr.Address(0, asked.get(0)), t0 + 31_001);
        assertEquals(List.of(asked.get(0)), needed(victim));
    }

    @Test
    void aReplayedOldPilaNeverMovesThePeersEndpoint() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        net.add(NodeConfig.DEFAULTS);
        List<byte[]> pilas = new ArrayList<>();
        net.tap = (from, to, bytes) -> {
            if (from == 1 && to == 0 && Bytes.i32(bytes, 0) == pilot.core.frame.Magic.PILA) {
                pilas.add(bytes);
            }
        };
        net.nodes.get(1).ping(victim.address(), net.now);
        net.run(1000);
        net.restart(1, NodeConfig.DEFAULTS, 99); // the honest peer restarts: a new X25519 key
        net.nodes.get(1).ping(victim.address(), net.now);
        net.run(1000);
        assertEquals(2, net.eventsOf(1, NodeEvent.Pong.class).size(), "both processes reached the victim");
        assertTrue(pilas.size() >= 2);
        Endpoint attacker = Endpoint.ipv4(192, 0, 2, 9, 5000);
        net.run(5000); // the peer is silent; then a run of forged frames claiming it (this used to drop the session)
        for (int i = 0; i < 6; i++) {
            victim.handleDatagram(attacker, junkPils(net.nodes.get(1).address().node(), i), net.now);
        }
        drain(victim);
        victim.handleDatagram(attacker, pilas.get(0), net.now); // the first, replaced key
        assertEquals(1, victim.droppedCount(ErrorCode.STALE_KEY));
        victim.handleDatagram(attacker, pilas.get(pilas.size() - 1), net.now); // the latest key, played back
        drain(victim);
        victim.ping(net.nodes.get(1).address(), net.now);
        Transmit t = victim.pollTransmit();
        assertNotNull(t);
        assertEquals(net.endpoints.get(1), t.to(), "the victim still talks to the real endpoint");
        assertTrue(victim.hasSession(net.nodes.get(1).address().node()), "and the session was never dropped");
    }

    private static List<Integer> needed(PilotNode n) {
        List<Integer> out = new ArrayList<>();
        for (NodeEvent e = n.pollEvent(); e != null; e = n.pollEvent()) {
            if (e instanceof NodeEvent.PeerNeeded x) {
                out.add(x.peer().node());
            }
        }
        while (n.pollTransmit() != null) {
            // discard
        }
        return out;
    }

    private static void drain(PilotNode n) {
        while (n.pollEvent() != null || n.pollTransmit() != null) {
            // discard
        }
    }
}
