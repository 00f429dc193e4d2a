package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.SeededEntropy;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.handshake.SessionSnapshot;
import pilot.core.node.PeerResolver.Request;

/**
 * A Worker woken after hibernation or eviction restores its sessions and asks the registry for every restored
 * peer again (PEER_NEEDED per peer, docs/SPEC-NOTES.md #37). Wired as the wasm facade wires it (the node's
 * trust is the resolver's), with more restored peers than {@link PeerResolver#MAX_IN_FLIGHT}: all of them are
 * resolved, never more than that many registry calls outstanding, none fails for our own bound.
 */
class RestoredPeersResolveTest {
    static final int US = 100;
    static final int PEERS = 200;
    static final long NOW = 5_000;

    final List<Integer> added = new ArrayList<>();
    final List<Integer> failed = new ArrayList<>();
    final PinnedTrust pins = new PinnedTrust();
    PilotNode node;
    final PeerResolver resolver = new PeerResolver(pins, new PeerResolver.Actions() {
        @Override
        public void addPeer(int peer, Endpoint endpoint, boolean rehandshake, long now) {
            added.add(peer);
            node.addPeer(peer, endpoint, now);
        }

        @Override
        public void lookupFailed(int peer, long now) {
            failed.add(peer);
            node.peerLookupFailed(peer, now);
        }

        @Override
        public void pin(int peer, byte[] ed25519) {
            pins.pin(peer, ed25519);
        }

        @Override
        public boolean vouched(int peer) {
            return node.lookupVouched(peer);
        }
    });

    static byte[] filled(int b, int len) {
        byte[] k = new byte[len];
        Arrays.fill(k, (byte) b);
        return k;
    }

    static byte[] ed25519(int peer) {
        return filled(peer, 32);
    }

    /** Where restored peer {@code peer} is, in the snapshot and in the registry's answer (another would be a move). */
    static Endpoint endpoint(int peer) {
        return Endpoint.ipv4(10, 0, 0, 1, 4000 + peer - 1000);
    }

    /** A snapshot of {@code PEERS} established sessions (their keys are arbitrary: nothing is sealed here). */
    static byte[] snapshot() {
        List<SessionSnapshot.Entry> peers = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            int peer = 1000 + i;
            peers.add(new SessionSnapshot.Entry(peer, true, NodeConfig.DEFAULTS.profile(), endpoint(peer),
                    ed25519(peer), filled(i + 1, 32), filled(i + 2, 32), filled(i + 3, 4), 4096, 10, 1_000));
        }
        return new SessionSnapshot(US, NodeConfig.DEFAULTS.profile(), peers).encode();
    }

    @Test
    void everyRestoredPeerIsResolvedWithAtMostMaxInFlightRegistryCallsOutstanding() {
        LocalIdentity id = new LocalIdentity(US, Net.SUITE.ed25519(new SeededEntropy(7).bytes(32)));
        pins.pin(US, id.publicKey());
        node = new PilotNode(NodeConfig.DEFAULTS, id, 0, Net.SUITE, new SeededEntropy(1), resolver::trustedKey);
        assertEquals(PEERS, node.restore(snapshot(), NOW).value());

        // the host: every PEER_NEEDED goes to the resolver; the registry answers the oldest outstanding call at a time
        ArrayDeque<Request> outstanding = new ArrayDeque<>();
        int most = 0;
        long now = NOW;
        while (true) {
            for (NodeEvent e = node.pollEvent(); e != null; e = node.pollEvent()) {
                if (e instanceof NodeEvent.PeerNeeded n) {
                    resolver.peerNeeded(n.peer().node(), false, now);
                }
            }
            for (Request q = resolver.pollRequest(); q != null; q = resolver.pollRequest()) {
                outstanding.add(q);
            }
            most = Math.max(most, outstanding.size());
            Request q = outstanding.poll();
            if (q == null) {
                break;
            }
            now++;
            if (q.lookup()) {
                resolver.lookedUp(q.node(), ed25519(q.node()), now);
            } else {
                resolver.resolved(q.node(), endpoint(q.node()), now);
            }
        }

        assertEquals(List.of(), failed, "no restored peer fails for our own bound");
        assertEquals(PEERS, added.size(), "every restored peer resolved");
        assertEquals(PeerResolver.MAX_IN_FLIGHT, most, "registry calls outstanding: the bound, used whole, never passed");
        assertEquals(0, resolver.inFlight());
        assertEquals(0, resolver.waiting());
        for (int peer : added) {
            assertTrue(node.hasSession(peer), "the answer keeps the restored session of " + peer);
        }
    }

    /** What the resolver's two queues are told apart by: a stranger's frame does not vouch for its sender. */
    @Test
    void aStrangersFrameDoesNotVouchForItsSenderTheApplicationsTrafficDoes() {
        Net net = new Net();
        PilotNode n = net.add(NodeConfig.DEFAULTS);
        n.handleDatagram(Endpoint.ipv4(192, 0, 2, 9, 5000), UnauthenticatedInputTest.junkPils(5000, 1), net.now);
        n.ping(new Address(0, 6000), net.now);
        List<Integer> needed = new ArrayList<>();
        for (NodeEvent e = n.pollEvent(); e != null; e = n.pollEvent()) {
            if (e instanceof NodeEvent.PeerNeeded x) {
                needed.add(x.peer().node());
            }
        }
        assertEquals(List.of(5000, 6000), needed, "both ask the host");
        assertFalse(n.lookupVouched(5000), "a sealed frame nobody can authenticate: a stranger's ask");
        assertTrue(n.lookupVouched(6000), "our ping waits for the peer");
        assertFalse(n.lookupVouched(7000));
    }
}
