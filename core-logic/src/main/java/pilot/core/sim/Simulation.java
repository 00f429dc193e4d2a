package pilot.core.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.edge.EventLayout;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.SealedFrame;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.node.EventFields;
import pilot.core.node.NodeConfig;
import pilot.core.node.NodeEvent;
import pilot.core.node.PilotNode;
import pilot.core.node.SuiteAeadDriver;
import pilot.core.node.Transmit;
import pilot.core.wire.Bytes;

/**
 * A deterministic network of {@link PilotNode}s (FoundationDB/TigerBeetle style): virtual time, seeded
 * latency, jitter, loss, duplication, corruption, an attacker replaying and forging frames, partitions
 * that heal and node restarts with fresh keys (loss, duplication and corruption continue after the busy
 * phase; partitions, restarts and attacks stop). Applications on every node open streams, send datagrams
 * and ping; the run checks these invariants and reports every violation:
 * <ol>
 *   <li>every stream byte is delivered exactly once, in order, unaltered; a stream whose sender saw a
 *       clean close was delivered completely; every stream ends (completed or with an error);</li>
 *   <li>no corrupted, replayed or forged datagram is ever delivered;</li>
 *   <li>after the faults stop, every pair of nodes completes a handshake and a ping;</li>
 *   <li>buffered bytes per node stay under a fixed bound;</li>
 *   <li>after {@code handleTimeout(now)}, {@code nextDeadline()} is later than {@code now}.</li>
 * </ol>
 * Pure Java with integer arithmetic only, so the same seed gives the same trace hash on the JVM and in wasm.
 */
public final class Simulation {
    /** The bound of invariant 4: generous for buffers and queues, far below runaway growth. */
    public static final long MAX_BUFFERED_BYTES = 8L * 1024 * 1024;
    static final int SINK_PORT = 1000;
    static final int DATAGRAM_PORT = 2000;
    private static final int HEADER = 12;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final int CAPTURE = 64;

    private final SimConfig cfg;
    private final SeededEntropy rng;
    private final CryptoSuite suite = new BouncyCastleSuite();
    private final PinnedTrust trust = new PinnedTrust();
    private final NodeConfig nodeConfig;
    private final PilotNode[] nodes;
    /** Deferred AEAD: each node's requests answered at its next poll, in order (null: the AEAD runs in each call). */
    private final SuiteAeadDriver[] drivers;
    /** With {@link #drivers}: the packet checksums are the drivers' too ({@link PilotNode#deferChecksum}). */
    private final boolean deferredChecksum;
    private final LocalIdentity[] ids;
    private final Endpoint[] endpoints;
    private final App[] apps;
    private final PriorityQueue<Flight> wire = new PriorityQueue<>(Simulation::byTime);
    private final PriorityQueue<Action> actions = new PriorityQueue<>(Simulation::byTime);
    private final List<long[]> cuts = new ArrayList<>();   // {a, b, from, to}
    private final List<Flight> captured = new ArrayList<>();
    private final Map<Long, int[]> tags = new LinkedHashMap<>(); // tag -> {status bits, sender node}
    private final Set<Long> datagramsSeen = new HashSet<>();
    private final boolean[][] ponged;
    private final List<String> violations = new ArrayList<>();
    private java.util.function.Consumer<String> log;
    private long now;
    private long order;
    private long hash = FNV_OFFSET;
    private long packets;
    private long streamBytes;
    private long attacks;
    private long maxBuffered;
    private long nextTag = 1;
    private int nextDatagram = 1;

    private static final int SENDER_CLEAN = 1;
    private static final int SENDER_ERROR = 2;
    private static final int RECEIVER_DONE = 4;
    private static final int ABANDONED = 8;

    private record Flight(long at, long order, int to, Endpoint from, byte[] bytes) implements Timed {
    }

    private record Action(long at, long order, int node, int kind, int target) implements Timed {
    }

    private interface Timed {
        long at();

        long order();
    }

    private static int byTime(Timed a, Timed b) {
        return a.at() != b.at() ? Long.compare(a.at(), b.at()) : Long.compare(a.order(), b.order());
    }

    private static final int OPEN_STREAM = 1;
    private static final int SEND_DATAGRAM = 2;
    private static final int PING = 3;
    private static final int RESTART = 4;

    /** Per-node application state: streams it sends and receives. */
    private final class App {
        final Map<Integer, long[]> sending = new LinkedHashMap<>();   // stream -> {tag, total, written}
        final Map<Integer, Receiving> receiving = new LinkedHashMap<>();
        final Map<Integer, Integer> pingTarget = new LinkedHashMap<>();
    }

    private static final class Receiving {
        final byte[] header = new byte[HEADER];
        long got;
        long tag;
        long total = -1;
        boolean done;
    }

    private Simulation(SimConfig cfg, boolean deferredAead) {
        this(cfg, deferredAead, false);
    }

    private Simulation(SimConfig cfg, boolean deferredAead, boolean deferredChecksum) {
        this.cfg = cfg;
        this.drivers = deferredAead ? new SuiteAeadDriver[cfg.nodes()] : null;
        this.deferredChecksum = deferredChecksum;
        this.rng = new SeededEntropy(cfg.seed());
        this.nodeConfig = NodeConfig.DEFAULTS.withProfile(cfg.profile());
        int n = cfg.nodes();
        nodes = new PilotNode[n];
        ids = new LocalIdentity[n];
        endpoints = new Endpoint[n];
        apps = new App[n];
        ponged = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            ids[i] = new LocalIdentity(0x00A30000 + i * 7919 + 1, suite.ed25519(rng.bytes(32)));
            trust.pin(ids[i].node(), ids[i].publicKey());
            endpoints[i] = Endpoint.ipv4(10, 0, i / 250, 1 + i % 250, 4000 + i);
            start(i);
        }
    }

    /** Runs one scenario to completion. */
    public static SimReport run(SimConfig cfg) {
        return new Simulation(cfg, false).execute();
    }

    /**
     * Runs one scenario with every node's AEAD as an effect ({@link PilotNode#deferAead}), answered at the
     * node's next poll in request order: the trace must be the one of {@link #run(SimConfig)}.
     */
    public static SimReport runDeferredAead(SimConfig cfg) {
        return new Simulation(cfg, true).execute();
    }

    /**
     * {@link #runDeferredAead} with the packet checksums asked of the host too ({@link PilotNode#deferChecksum}, what
     * a Worker runs): the trace must again be the one of {@link #run(SimConfig)}.
     */
    public static SimReport runDeferredChecksum(SimConfig cfg) {
        return new Simulation(cfg, true, true).execute();
    }

    /** Runs with a line log of every datagram and event (for replaying a failing seed). */
    public static SimReport run(SimConfig cfg, java.util.function.Consumer<String> log) {
        Simulation s = new Simulation(cfg, false);
        s.log = log;
        return s.execute();
    }

    private void log(String line) {
        if (log != null) {
            log.accept("t=" + now + " " + line);
        }
    }

    private void start(int i) {
        nodes[i] = new PilotNode(nodeConfig, ids[i], 0, suite, new SeededEntropy(rng.nextLong()), trust);
        if (drivers != null) {
            nodes[i].deferAead();
            if (deferredChecksum) {
                nodes[i].deferChecksum();
            }
            drivers[i] = new SuiteAeadDriver(suite, deferredChecksum);
        }
        nodes[i].listen(SINK_PORT);
        nodes[i].listen(DATAGRAM_PORT);
        apps[i] = new App();
    }

    private SimReport execute() {
        schedule();
        long end = cfg.busyMillis() + cfg.quietMillis();
        while (true) {
            long next = Long.MAX_VALUE;
            if (!wire.isEmpty()) {
                next = wire.peek().at;
            }
            if (!actions.isEmpty()) {
                next = Math.min(next, actions.peek().at);
            }
            for (PilotNode n : nodes) {
                next = Math.min(next, n.nextDeadline());
            }
            if (next > end) {
                break;
            }
            now = Math.max(now, next);
            while (!wire.isEmpty() && wire.peek().at <= now) {
                Flight f = wire.poll();
                packets++;
                if (log != null) {
                    log("deliver to " + f.to + " from " + f.from + " " + describe(f.bytes));
                }
                long[] before = log == null ? null : dropCounts(nodes[f.to]);
                nodes[f.to].handleDatagram(f.from, f.bytes, now);
                if (before != null) {
                    long[] after = dropCounts(nodes[f.to]);
                    for (int k = 0; k < after.length; k++) {
                        if (after[k] != before[k]) {
                            log("  node " + f.to + " dropped: " + pilot.core.ErrorCode.values()[k]);
                        }
                    }
                }
                drain();
            }
            while (!actions.isEmpty() && actions.peek().at <= now) {
                perform(actions.poll());
                drain();
            }
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i].nextDeadline() <= now) {
                    nodes[i].handleTimeout(now);
                    if (nodes[i].nextDeadline() <= now) {
                        violate("node " + i + " deadline " + nodes[i].nextDeadline() + " not after now " + now);
                    }
                    drain();
                }
            }
            if (violations.size() > 20) {
                break;
            }
        }
        now = end;
        return finish();
    }

    private void schedule() {
        int n = cfg.nodes();
        long busy = cfg.busyMillis();
        for (int i = 0; i < n; i++) {
            for (int s = 0; s < cfg.streamsPerNode(); s++) {
                act(rand(busy / 2), i, OPEN_STREAM, other(i));
            }
            for (int d = 0; d < cfg.datagramsPerNode(); d++) {
                act(rand(busy), i, SEND_DATAGRAM, other(i));
            }
            act(rand(busy), i, PING, other(i));
        }
        for (int p = 0; p < cfg.partitions(); p++) {
            long from = rand(busy);
            int a = (int) rand(n);
            cuts.add(new long[] {a, other(a), from, from + 2000 + rand(15_000)});
        }
        for (int r = 0; r < cfg.restarts(); r++) {
            act(busy / 4 + rand(busy / 2), (int) rand(n), RESTART, 0);
        }
        // convergence: after the faults, every node pings every other (retried on timeout)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    for (int k = 0; k < 8; k++) {
                        act(busy + 30_000 + k * 15_000, i, PING, j); // loss goes on: retry like a user would
                    }
                }
            }
        }
    }

    private void act(long at, int node, int kind, int target) {
        actions.add(new Action(at, order++, node, kind, target));
    }

    private static long[] dropCounts(PilotNode n) {
        pilot.core.ErrorCode[] codes = pilot.core.ErrorCode.values();
        long[] out = new long[codes.length];
        for (int k = 0; k < codes.length; k++) {
            out[k] = n.droppedCount(codes[k]);
        }
        return out;
    }

    private static String describe(byte[] b) {
        Result<pilot.core.frame.TunnelFrame> f = pilot.core.frame.FrameCodec.decode(b);
        return f.isOk() ? f.value().toString() : "undecodable " + f.error();
    }

    private void perform(Action a) {
        log("action " + a);
        PilotNode n = nodes[a.node];
        Address target = nodes[a.target].address();
        switch (a.kind) {
            case OPEN_STREAM -> {
                Result<Integer> s = n.openStream(target, SINK_PORT, now);
                if (s.isOk()) {
                    long tag = nextTag++;
                    tags.put(tag, new int[] {0, a.node});
                    apps[a.node].sending.put(s.value(), new long[] {tag, HEADER + cfg.bytesPerStream(), 0});
                }
            }
            case SEND_DATAGRAM -> {
                int seq = nextDatagram++;
                n.sendDatagram(target, DATAGRAM_PORT, datagram(a.node, seq), now);
            }
            case PING -> {
                if (a.target == a.node || (now > cfg.busyMillis() && ponged[a.node][a.target])) {
                    return;
                }
                Result<Integer> p = n.ping(target, now);
                if (p.isOk()) {
                    apps[a.node].pingTarget.put(p.value(), a.target);
                }
            }
            case RESTART -> {
                for (long[] s : apps[a.node].sending.values()) {
                    tags.get(s[0])[0] |= ABANDONED;
                }
                start(a.node);
            }
            default -> violate("unknown action");
        }
    }

    // ------------------------------------------------------------------ the network

    private void drain() {
        boolean more = true;
        while (more) {
            more = false;
            for (int i = 0; i < nodes.length; i++) {
                if (drivers != null) {
                    drivers[i].completeAll(nodes[i], now);
                }
                for (Transmit t = nodes[i].pollTransmit(); t != null; t = nodes[i].pollTransmit()) {
                    more = true;
                    send(i, t);
                }
                for (NodeEvent e = nodes[i].pollEvent(); e != null; e = nodes[i].pollEvent()) {
                    more = true;
                    onEvent(i, e);
                }
                long b = nodes[i].bufferedBytes();
                maxBuffered = Math.max(maxBuffered, b);
                if (b > MAX_BUFFERED_BYTES) {
                    violate("node " + i + " buffers " + b + " bytes");
                }
            }
        }
    }

    private void send(int from, Transmit t) {
        int to = -1;
        for (int j = 0; j < endpoints.length; j++) {
            if (endpoints[j].equals(t.to())) {
                to = j;
            }
        }
        mix(now);
        mix(from);
        mix(to);
        mixBytes(t.datagram());
        if (to < 0 || cut(from, to) || rand(1000) < cfg.lossPermille()) {
            if (log != null) {
                log("lost " + from + " -> " + to + " " + describe(t.datagram()));
            }
            return;
        }
        int copies = rand(1000) < cfg.dupPermille() ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            byte[] bytes = t.datagram();
            if (rand(1000) < cfg.corruptPermille()) {
                bytes = bytes.clone();
                int bit = (int) rand(bytes.length * 8L);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            Flight f = new Flight(now + cfg.latencyMillis() + rand(cfg.jitterMillis() + 1), order++, to, endpoints[from], bytes);
            wire.add(f);
            if (now < cfg.busyMillis()) {
                attack(f);
            }
        }
    }

    /** The attacker captures datagrams, replays old ones and forges frames claiming real node ids. */
    private void attack(Flight f) {
        if (rand(1000) >= cfg.attackPermille()) {
            return;
        }
        switch ((int) rand(3)) {
            case 0 -> {
                if (captured.size() < CAPTURE) {
                    captured.add(f);
                } else {
                    captured.set((int) rand(CAPTURE), f);
                }
            }
            case 1 -> {
                if (!captured.isEmpty()) {
                    Flight old = captured.get((int) rand(captured.size()));
                    attacks++;
                    wire.add(new Flight(now + cfg.latencyMillis(), order++, old.to, old.from, old.bytes));
                }
            }
            default -> {
                attacks++;
                int claimed = ids[(int) rand(ids.length)].node();
                byte[] forged = rand(2) == 0
                        ? new SealedFrame(claimed, rng.bytes(12), rng.bytes(16 + (int) rand(100))).encode()
                        : new AuthKeyFrame(claimed, rng.bytes(32), trust.ed25519KeyFor(claimed), rng.bytes(64),
                        PilaTrailer.NONE).encode();
                wire.add(new Flight(now + cfg.latencyMillis(), order++, f.to, f.from, forged));
            }
        }
    }

    private boolean cut(int a, int b) {
        if (now >= cfg.busyMillis()) {
            return false;
        }
        for (long[] c : cuts) {
            boolean pair = (c[0] == a && c[1] == b) || (c[0] == b && c[1] == a);
            if (pair && now >= c[2] && now < c[3]) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ applications

    private void onEvent(int i, NodeEvent e) {
        log("node " + i + " event " + e);
        mix(now);
        mix(i);
        mix(e.kind().code());
        hashFields(e);
        PilotNode n = nodes[i];
        App app = apps[i];
        if (e instanceof NodeEvent.PeerNeeded x) {
            for (int j = 0; j < nodes.length; j++) {
                if (ids[j].node() == x.peer().node()) {
                    n.addPeer(ids[j].node(), endpoints[j], now); // the registry always answers
                }
            }
        } else if (e instanceof NodeEvent.StreamOpened x) {
            pump(i, x.stream());
        } else if (e instanceof NodeEvent.StreamWritable x) {
            pump(i, x.stream());
        } else if (e instanceof NodeEvent.StreamAccepted x) {
            app.receiving.put(x.stream(), new Receiving());
        } else if (e instanceof NodeEvent.StreamReadable x) {
            receive(i, x.stream());
        } else if (e instanceof NodeEvent.StreamClosed x) {
            long[] s = app.sending.remove(x.stream());
            if (s != null) {
                tags.get(s[0])[0] |= x.error() == null ? SENDER_CLEAN : SENDER_ERROR;
            }
            app.receiving.remove(x.stream());
        } else if (e instanceof NodeEvent.Datagram x) {
            checkDatagram(i, x);
        } else if (e instanceof NodeEvent.Pong x) {
            Integer target = app.pingTarget.remove(x.ping());
            if (target == null || !x.peer().equals(nodes[target].address())) {
                violate("node " + i + " got a pong it never asked for: " + e);
            } else if (now > cfg.busyMillis()) {
                ponged[i][target] = true;
            }
        } else if (e instanceof NodeEvent.PingTimeout x) {
            app.pingTarget.remove(x.ping());
        }
    }

    /** Mixes stream (or ping id), value and error code as the wasm boundary flattens them (same hash on every runtime). */
    private void hashFields(NodeEvent e) {
        EventLayout.Fields f = EventFields.of(e);
        mix(f.stream());
        mix(f.value());
        mix(f.error());
    }

    private void pump(int i, int stream) {
        long[] s = apps[i].sending.get(stream);
        if (s == null) {
            return;
        }
        while (s[2] < s[1]) {
            int len = (int) Math.min(8192, s[1] - s[2]);
            byte[] chunk = new byte[len];
            for (int k = 0; k < len; k++) {
                chunk[k] = streamByte(s[0], s[1], s[2] + k);
            }
            Result<Integer> w = nodes[i].write(stream, chunk, now);
            if (!w.isOk()) {
                return;
            }
            s[2] += w.value();
            if (w.value() < len) {
                return;
            }
        }
        nodes[i].closeStream(stream, now);
    }

    private void receive(int i, int stream) {
        Receiving r = apps[i].receiving.get(stream);
        PilotNode n = nodes[i];
        byte[] data = n.read(stream, Integer.MAX_VALUE, now).value();
        if (r == null) {
            return;
        }
        for (byte b : data) {
            long pos = r.got++;
            if (pos < HEADER) {
                r.header[(int) pos] = b;
                if (pos == HEADER - 1) {
                    r.tag = Bytes.i64(r.header, 0);
                    r.total = Bytes.i32(r.header, 8) & 0xFFFFFFFFL;
                    if (!tags.containsKey(r.tag)) {
                        violate("node " + i + " received a stream with unknown tag " + r.tag);
                    }
                }
            } else if (r.total < 0 || pos >= r.total || b != streamByte(r.tag, r.total, pos)) {
                violate("node " + i + " stream " + stream + " byte " + pos + " differs from what was written");
                return;
            }
        }
        streamBytes += data.length;
        if (n.atEof(stream) && !r.done) {
            r.done = true;
            if (r.got != r.total) {
                violate("node " + i + " stream tag " + r.tag + " ended cleanly after " + r.got + " of " + r.total + " bytes");
            } else {
                tags.get(r.tag)[0] |= RECEIVER_DONE;
            }
            n.closeStream(stream, now);
        }
    }

    private byte[] datagram(int sender, int seq) {
        byte[] d = new byte[16];
        Bytes.put32(d, 0, sender);
        Bytes.put32(d, 4, seq);
        Bytes.put64(d, 8, splitmix(cfg.seed() ^ ((long) sender << 32) ^ seq));
        return d;
    }

    private void checkDatagram(int i, NodeEvent.Datagram e) {
        byte[] d = e.data();
        if (d.length != 16 || Bytes.i64(d, 8) != splitmix(cfg.seed() ^ ((long) Bytes.i32(d, 0) << 32) ^ Bytes.i32(d, 4))) {
            violate("node " + i + " delivered a corrupted or forged datagram");
            return;
        }
        if (!e.peer().equals(nodes[Bytes.i32(d, 0)].address())) {
            violate("node " + i + " delivered a datagram from the wrong source");
        }
        if (!datagramsSeen.add(((long) i << 40) ^ Bytes.i32(d, 4))) {
            violate("node " + i + " delivered datagram " + Bytes.i32(d, 4) + " twice (replay)");
        }
    }

    private byte streamByte(long tag, long total, long pos) {
        if (pos < 8) {
            return (byte) (tag >>> (56 - 8 * pos));
        }
        if (pos < HEADER) {
            return (byte) (total >>> (24 - 8 * (pos - 8)));
        }
        long k = pos - HEADER;
        return (byte) (splitmix(cfg.seed() * 31 + tag * 1_000_003L + (k >>> 3)) >>> (8 * (k & 7)));
    }

    // ------------------------------------------------------------------ results

    private SimReport finish() {
        int completed = 0;
        int failed = 0;
        for (Map.Entry<Long, int[]> t : tags.entrySet()) {
            int st = t.getValue()[0];
            if ((st & SENDER_CLEAN) != 0 && (st & RECEIVER_DONE) == 0) {
                violate("stream tag " + t.getKey() + ": sender saw a clean close, receiver did not get every byte");
            }
            if ((st & (SENDER_CLEAN | SENDER_ERROR | ABANDONED)) == 0) {
                violate("stream tag " + t.getKey() + " from node " + t.getValue()[1] + " neither completed nor failed");
            }
            if ((st & SENDER_CLEAN) != 0 && (st & RECEIVER_DONE) != 0) {
                completed++;
            }
            if ((st & SENDER_ERROR) != 0) {
                failed++;
            }
        }
        for (int i = 0; i < nodes.length; i++) {
            for (int j = 0; j < nodes.length; j++) {
                if (i != j && !ponged[i][j]) {
                    violate("node " + i + " never reached node " + j + " after the faults stopped");
                }
            }
        }
        return new SimReport(cfg, List.copyOf(violations), hash, packets, streamBytes, completed, failed, attacks, maxBuffered,
                now);
    }

    private void violate(String what) {
        if (violations.size() <= 20) {
            violations.add("t=" + now + " " + what);
        }
    }

    private long rand(long bound) {
        return bound <= 0 ? 0 : Long.remainderUnsigned(rng.nextLong(), bound);
    }

    private int other(int i) {
        int j = (int) rand(cfg.nodes() - 1);
        return j >= i ? j + 1 : j;
    }

    private void mix(long v) {
        for (int k = 0; k < 8; k++) {
            hash = (hash ^ ((v >>> (8 * k)) & 0xFF)) * FNV_PRIME;
        }
    }

    private void mixBytes(byte[] b) {
        mix(b.length);
        for (byte x : b) {
            hash = (hash ^ (x & 0xFF)) * FNV_PRIME;
        }
    }

    static long splitmix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

}
