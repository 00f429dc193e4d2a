package pilot.core.node;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BiPredicate;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;

/** A tiny virtual network for node tests: fixed latency, a virtual clock, and a hook to drop datagrams. */
class Net {
    static final CryptoSuite SUITE = new BouncyCastleSuite();

    record InFlight(long at, long order, int to, Endpoint from, byte[] bytes) {
    }

    final PinnedTrust trust = new PinnedTrust();
    final List<PilotNode> nodes = new ArrayList<>();
    final List<Endpoint> endpoints = new ArrayList<>();
    final List<List<NodeEvent>> events = new ArrayList<>();
    final PriorityQueue<InFlight> wire = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    long now = 1_000;
    long order;
    long latency = 10;
    long delivered;
    /** Sees every datagram put on the wire (from index, to index, bytes): a wire tap for tests. */
    TriConsumer tap = (from, to, bytes) -> { };

    interface TriConsumer {
        void accept(int from, int to, byte[] bytes);
    }

    /** Nodes whose AEAD is an effect, by index: drain answers their requests first, in order. */
    final java.util.Map<Integer, SuiteAeadDriver> drivers = new java.util.HashMap<>();

    /** A node with deferred AEAD ({@link PilotNode#deferAead}), answered in order by {@link #drain}. */
    PilotNode addDeferred(NodeConfig cfg) {
        PilotNode n = add(cfg);
        n.deferAead();
        drivers.put(nodes.size() - 1, new SuiteAeadDriver(SUITE));
        return n;
    }

    /** A node whose AEAD and packet checksum are both the host's ({@link PilotNode#deferChecksum}). */
    PilotNode addDeferredChecksum(NodeConfig cfg) {
        PilotNode n = add(cfg);
        n.deferAead();
        n.deferChecksum();
        drivers.put(nodes.size() - 1, new SuiteAeadDriver(SUITE, true));
        return n;
    }

    /** Return false to drop a datagram (from index, to index). */
    BiPredicate<Integer, Integer> pass = (a, b) -> true;

    /**
     * {@code a} (node 0) sends {@code b} (node 1, listening on {@code port}) a first datagram, which sets up the
     * session and is delivered (its events cleared); returns the sealed frame of a second one, {7, 7, 7}, not
     * handled yet.
     */
    byte[] frameAfterSession(PilotNode a, PilotNode b, int port) {
        b.listen(port);
        a.sendDatagram(b.address(), port, new byte[] {1}, now);
        run(200);
        events.get(1).clear();
        a.sendDatagram(b.address(), port, new byte[] {7, 7, 7}, now);
        return a.pollTransmit().datagram();
    }

    PilotNode add(NodeConfig cfg) {
        int i = nodes.size();
        LocalIdentity id = new LocalIdentity(100 + i, SUITE.ed25519(new SeededEntropy(7 + i).bytes(32)));
        trust.pin(id.node(), id.publicKey());
        PilotNode n = new PilotNode(cfg, id, 0, SUITE, new SeededEntropy(1000 + i), trust);
        nodes.add(n);
        endpoints.add(Endpoint.ipv4(10, 0, 0, i + 1, 4000));
        events.add(new ArrayList<>());
        return n;
    }

    /** Replaces node i with a fresh process (same identity, new randomness). */
    PilotNode restart(int i, NodeConfig cfg, long seed) {
        PilotNode old = nodes.get(i);
        LocalIdentity id = new LocalIdentity(old.address().node(), SUITE.ed25519(new SeededEntropy(7 + i).bytes(32)));
        PilotNode n = new PilotNode(cfg, id, 0, SUITE, new SeededEntropy(seed), trust);
        nodes.set(i, n);
        return n;
    }

    Address addr(int i) {
        return nodes.get(i).address();
    }

    /** Every node learns every other's endpoint (what a registry resolve would give). */
    void meshKnown() {
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = 0; j < nodes.size(); j++) {
                if (i != j) {
                    nodes.get(i).addPeer(nodes.get(j).address().node(), endpoints.get(j), now);
                }
            }
        }
        drain();
    }

    int indexOf(Endpoint e) {
        return endpoints.indexOf(e);
    }

    /** Moves every queued transmit onto the wire and every event to its handler, until all are empty. */
    void drain() {
        boolean more = true;
        while (more) {
            more = false;
            for (int i = 0; i < nodes.size(); i++) {
                more |= drainOne(i);
            }
        }
    }

    private boolean drainOne(int i) {
        boolean any = false;
        {
            PilotNode n = nodes.get(i);
            SuiteAeadDriver d = drivers.get(i);
            if (d != null) {
                any |= d.completeAll(n, now) > 0;
            }
            for (Transmit t = n.pollTransmit(); t != null; t = n.pollTransmit()) {
                any = true;
                int to = indexOf(t.to());
                tap.accept(i, to, t.datagram());
                if (to >= 0 && pass.test(i, to)) {
                    wire.add(new InFlight(now + latency, order++, to, endpoints.get(i), t.datagram()));
                }
            }
            for (NodeEvent e = n.pollEvent(); e != null; e = n.pollEvent()) {
                events.get(i).add(e);
                onEvent(i, e);
                any = true;
            }
        }
        return any;
    }

    /** Test hook: react to events (default: auto-resolve PEER_NEEDED). */
    void onEvent(int node, NodeEvent e) {
        if (e instanceof NodeEvent.PeerNeeded x) {
            for (int j = 0; j < nodes.size(); j++) {
                if (nodes.get(j).address().equals(x.peer())) {
                    nodes.get(node).addPeer(x.peer().node(), endpoints.get(j), now);
                }
            }
        }
    }

    /** Runs until {@code until} (virtual ms), delivering datagrams and firing timers in time order. */
    void runUntil(long until) {
        drain();
        while (true) {
            long next = wire.isEmpty() ? Long.MAX_VALUE : wire.peek().at;
            for (PilotNode n : nodes) {
                next = Math.min(next, n.nextDeadline());
            }
            if (next > until) {
                now = until;
                return;
            }
            now = Math.max(now, next);
            while (!wire.isEmpty() && wire.peek().at <= now) {
                InFlight f = wire.poll();
                delivered++;
                nodes.get(f.to).handleDatagram(f.from, f.bytes, now);
                drain();
            }
            for (PilotNode n : nodes) {
                if (n.nextDeadline() <= now) {
                    n.handleTimeout(now);
                    if (n.nextDeadline() <= now) {
                        throw new AssertionError("deadline not in the future after handleTimeout");
                    }
                }
            }
            drain();
        }
    }

    void run(long ms) {
        runUntil(now + ms);
    }

    <T extends NodeEvent> List<T> eventsOf(int i, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (NodeEvent e : events.get(i)) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }
}
