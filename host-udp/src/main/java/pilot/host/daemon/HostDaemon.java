package pilot.host.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.edge.HostPort;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.node.NodeConfig;
import pilot.core.node.NodeEvent;
import pilot.core.node.PeerResolver;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.host.crypto.JceSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.identity.Identity;
import pilot.host.log.LogLimiter;
import pilot.host.registry.RegistryClient;

/**
 * The JVM host peer: one event-loop thread owns a UDP {@link DatagramChannel} and a {@link PilotNode}
 * and drives it (receive → handleDatagram, deadline → handleTimeout, then drain transmits and events).
 * Time and entropy come from here; everything else is the core. Other threads talk to it only through
 * {@link #submit}, so the node is never touched concurrently. Registry look-ups run on a side thread
 * and post their answers back.
 */
public final class HostDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostDaemon.class);
    private static final int PIPE_BYTES = 512 * 1024;
    /**
     * Kernel UDP buffers asked for, each way: a burst of a whole send window (and the peer's) fits instead of
     * being dropped by a default ~200 KiB buffer. The kernel may cap it (net.core.rmem_max / wmem_max).
     */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    /**
     * Failed heartbeats in a row after which the host registers again (as the reference daemon does): the
     * registry may have restarted without our entry. A heartbeat the registry refuses re-registers at once.
     */
    static final int HEARTBEAT_FAILURES_BEFORE_REREGISTER = 3;
    /**
     * Registry calls waiting for the look-up thread at most: the resolver's look-ups in flight
     * ({@link PeerResolver#MAX_IN_FLIGHT}, one call each at a time; more wait in the resolver) and a heartbeat;
     * beyond, a look-up fails at once.
     */
    static final int LOOKUP_QUEUE = PeerResolver.MAX_IN_FLIGHT + 2;
    /** Log lines per {@link #LOG_INTERVAL_MILLIS} about look-ups and unreachable peers (hostile input can cause them). */
    static final int LOG_LINES = 5;
    static final long LOG_INTERVAL_MILLIS = 10_000;
    /**
     * How long {@link #close} keeps the loop running for our last FINs, data and ACKs to be acknowledged
     * (a peer that never hears them retransmits into a closed socket and finally resets).
     */
    static final long LINGER_MILLIS = 1_000;

    private final HostConfig config;
    private final CryptoSuite suite;
    /** Touched only by the constructor and then the event loop, so a plain table is enough. */
    private final PinnedTrust trust = new PinnedTrust();
    private final pilot.host.identity.PeerStore peers;
    private final Identity identity;
    private final PilotNode node;
    private final DatagramChannel channel;
    /** Reused for every datagram sent (event-loop thread only); 64 KiB holds any UDP payload. */
    private final ByteBuffer sendBuf = ByteBuffer.allocateDirect(65536);
    /** Socket addresses of recent destinations (event-loop thread only). */
    private final Destinations destinations = new Destinations();
    private final Selector selector;
    private final RegistryClient registry;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ThreadPoolExecutor lookups = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(LOOKUP_QUEUE), r -> daemonThread(r, "pilot-lookup"));
    /**
     * The lookup → pin → resolve policy (core): which registry calls to make for PEER_NEEDED, the keys held
     * until a session confirms them (then pinned and written to the peer file). Event loop only.
     */
    private final PeerResolver resolver = new PeerResolver(trust, new ResolverActions());
    private final LogLimiter lookupLog = new LogLimiter(LOG_LINES, LOG_INTERVAL_MILLIS);
    private final LogLimiter resolvedLog = new LogLimiter(LOG_LINES, LOG_INTERVAL_MILLIS);
    private final LogLimiter sessionLog = new LogLimiter(LOG_LINES, LOG_INTERVAL_MILLIS);
    /** Registry look-ups started (tests read it). */
    final java.util.concurrent.atomic.AtomicLong lookupsStarted = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Integer, HostStream> streams = new HashMap<>();
    private final Map<Integer, CompletableFuture<HostStream>> dialing = new HashMap<>();
    /**
     * Datagrams handled before the data they brought moves to the streams' pipes: one reader wake-up per this
     * many instead of one per segment, while the core's receive buffer (256 KiB, 64 loopback segments) stays far
     * from full, so the window we advertise does not close meanwhile.
     */
    static final int PULL_EVERY_DATAGRAMS = 16;
    /** Streams whose new data goes to their pipes at the end of this loop step (event loop only). */
    private final java.util.Set<HostStream> readable = new java.util.LinkedHashSet<>();
    /** Writes the core has not taken in full yet, by stream (event loop only; at most one per stream). */
    private final Map<Integer, PendingWrite> pendingWrites = new HashMap<>();
    private final Map<Integer, CompletableFuture<Long>> pings = new HashMap<>();
    private final Map<Integer, Consumer<HostStream>> acceptors = new HashMap<>();
    private final Map<Integer, Consumer<NodeEvent.Datagram>> datagramHandlers = new HashMap<>();
    /** Application listeners for every node event ({@link #onEvent}); called on the loop. */
    private final java.util.List<Consumer<NodeEvent>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final LogLimiter listenerLog = new LogLimiter(LOG_LINES, LOG_INTERVAL_MILLIS);
    /**
     * Nodes a session came up with (PEER_UP), to count sessions for {@link #snapshot}; entries whose session
     * is gone are pruned there and whenever the set outgrows {@link #SESSION_PEERS}. Event loop only.
     */
    private final java.util.Set<Integer> sessionPeers = new java.util.HashSet<>();
    /** Above this, {@link #sessionPeers} is pruned on the next PEER_UP (the core holds at most 1,024 peers). */
    static final int SESSION_PEERS = 2048;
    private final long epochNanos = System.nanoTime();
    private final Thread loop;
    private volatile boolean running = true;
    private boolean closing;        // loop only: lingering until the streams settle
    private long lingerUntil;
    private long nextHeartbeat;
    /** Heartbeats failed in a row; touched only on the look-up thread. */
    private int heartbeatFailures;

    private HostDaemon(HostConfig config) throws IOException {
        this.config = config;
        this.suite = config.jceCrypto() ? new JceSuite() : new BouncyCastleSuite();
        Entropy entropy = new SecureEntropy();
        this.channel = DatagramChannel.open();
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        channel.bind(config.bind());
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        this.registry = config.registry() == null ? null : new RegistryClient(config.registry(), 3000);
        this.identity = register(Identity.loadOrCreate(config.identity(), suite, entropy));
        trust.pin(identity.nodeId(), identity.publicKey());
        this.peers = pilot.host.identity.PeerStore.load(pilot.host.identity.PeerStore.beside(config.identity()));
        for (var e : peers.all().entrySet()) {
            trust.pin(e.getKey(), e.getValue()); // trusted peers from earlier runs
        }
        LocalIdentity local = new LocalIdentity(identity.nodeId(), identity.signingKey(suite));
        this.node = new PilotNode(nodeConfig(config), local,
                identity.network(), suite, entropy, resolver::trustedKey);
        for (HostConfig.StaticPeer p : config.peers()) {
            trust.pin(p.node(), p.ed25519());
            if (p.profile() != null) {
                node.setProfile(p.node(), p.profile());
            }
            node.addPeer(p.node(), endpoint(p.endpoint()), now());
        }
        this.loop = daemonThread(this::run, "pilot-loop");
    }

    /**
     * Stream segment size of a host bound to a loopback address: a whole window unit (4096 bytes, what Feb-2026
     * daemons send anyway) instead of the 1024 that fit one unfragmented datagram on any network (spec C.2, G.5).
     * Such a host reaches only peers on the same machine, where nothing fragments (the loopback MTU is 64 KiB)
     * and every generation receives segments up to 65,535 bytes; a window slot stays one unit, so the bytes in
     * flight do not change, only the datagrams per byte (and their syscalls, seals and ACKs) drop fourfold.
     */
    static final int LOOPBACK_MSS = pilot.core.stream.StreamConfig.DEFAULTS.windowUnit();

    /** The node's configuration for this host: the profile, the echo service, and the segment size for its path. */
    static NodeConfig nodeConfig(HostConfig config) {
        NodeConfig c = NodeConfig.DEFAULTS.withProfile(config.profile()).withEcho(config.echo());
        java.net.InetAddress bound = config.bind().getAddress();
        return bound != null && bound.isLoopbackAddress() ? c.withStream(c.stream().withMss(LOOPBACK_MSS)) : c;
    }

    /** Starts a host: binds the socket, loads (or creates) the identity, registers, runs the loop. */
    public static HostDaemon start(HostConfig config) throws IOException {
        HostDaemon d = new HostDaemon(config);
        d.loop.start();
        LOG.info("host {} listening on udp {} ({} profile, {} crypto; {})", d.address(), pilot.host.log.AddressText.of(d.localEndpoint()),
                config.profile().name().toLowerCase(), config.jceCrypto() ? "JCE" : "Bouncy Castle", d.socketBuffers());
        return d;
    }

    /**
     * What the kernel granted for {@link #SOCKET_BUFFER_BYTES}: it caps the request at net.core.rmem_max /
     * wmem_max without an error, and a burst beyond a small buffer is dropped (the streams retransmit), so
     * an operator sees it here ("socket buffers receive 4096 KiB, send 4096 KiB" on this project's Linux hosts).
     */
    private String socketBuffers() {
        try {
            int rcv = channel.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
            int snd = channel.getOption(java.net.StandardSocketOptions.SO_SNDBUF);
            String granted = "socket buffers receive " + (rcv >> 10) + " KiB, send " + (snd >> 10) + " KiB";
            return rcv < SOCKET_BUFFER_BYTES || snd < SOCKET_BUFFER_BYTES
                    ? granted + " of " + (SOCKET_BUFFER_BYTES >> 10) + " KiB asked (raise net.core.rmem_max / wmem_max)"
                    : granted;
        } catch (IOException e) {
            return "socket buffers unknown: " + e.getMessage();
        }
    }

    private Identity register(Identity id) throws IOException {
        if (registry == null) {
            if (!id.isRegistered()) {
                throw new IOException("no registry given and " + config.identity() + " has no node id yet: "
                        + "register once with --registry, or write node_id into the identity file");
            }
            return id;
        }
        RegistryClient.Registration r = registerSigned(id.publicKey(), id.signingKey(suite));
        Identity registered = id.withNode(r.nodeId(), 0);
        if (!registered.equals(id)) {
            registered.save(config.identity());
        }
        var key = registered.signingKey(suite);
        registry.setVisibility(r.nodeId(), true, key::sign); // resolvable without trust, like `daemon -public`
        return registered;
    }

    /** Signed, so a restart on another port moves our entry instead of being refused (docs/SPEC-NOTES.md #35). */
    private RegistryClient.Registration registerSigned(byte[] publicKey, pilot.core.crypto.SigningKey key) throws IOException {
        return registry.register(listenAddr(), publicKey, null, key::sign, System.currentTimeMillis());
    }

    private String listenAddr() throws IOException {
        InetSocketAddress a = localEndpoint();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return host + ":" + a.getPort();
    }

    public Address address() {
        return identity.address();
    }

    public Identity identity() {
        return identity;
    }

    public CryptoSuite suite() {
        return suite;
    }

    public InetSocketAddress localEndpoint() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    long now() {
        return (System.nanoTime() - epochNanos) / 1_000_000L;
    }

    PilotNode node() {
        return node;
    }

    /** Runs {@code r} on the event loop. */
    public void submit(Runnable r) {
        commands.add(r);
        selector.wakeup();
    }

    // ------------------------------------------------------------------ application API

    /** Control-protocol ping: completes with the round trip in ms, or exceptionally. */
    public CompletableFuture<Long> ping(Address peer) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        submit(() -> {
            Result<Integer> id = node.ping(peer, now());
            if (id.isOk()) {
                pings.put(id.value(), f);
            } else {
                f.completeExceptionally(new PeerFailure(id.error(), id.toString()));
            }
        });
        return f;
    }

    /** Opens a stream; completes once the peer answered. */
    public CompletableFuture<HostStream> open(Address peer, int port) {
        CompletableFuture<HostStream> f = new CompletableFuture<>();
        submit(() -> {
            Result<Integer> id = node.openStream(peer, port, now());
            if (!id.isOk()) {
                f.completeExceptionally(new PeerFailure(id.error(), "cannot open a stream to " + peer + ":" + port + ": " + id));
                return;
            }
            streams.put(id.value(), new HostStream(this, id.value(), peer, port, PIPE_BYTES));
            dialing.put(id.value(), f);
        });
        return f;
    }

    /** Accepts streams on {@code port}; {@code onAccept} runs on the event loop (hand work to a thread). */
    public CompletableFuture<Void> listen(int port, Consumer<HostStream> onAccept) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(() -> {
            Result<Integer> r = node.listen(port);
            if (r.isOk()) {
                acceptors.put(port, onAccept);
                f.complete(null);
            } else {
                f.completeExceptionally(new IOException(r.toString()));
            }
        });
        return f;
    }

    /** Receives datagrams on {@code port} (the handler runs on the event loop). */
    public CompletableFuture<Void> onDatagram(int port, Consumer<NodeEvent.Datagram> handler) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(() -> {
            Result<Integer> r = node.listen(port);
            datagramHandlers.put(port, handler);
            f.complete(null);
        });
        return f;
    }

    public CompletableFuture<Integer> sendDatagram(Address peer, int port, byte[] data) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        submit(() -> {
            Result<Integer> r = node.sendDatagram(peer, port, data, now());
            if (r.isOk()) {
                f.complete(r.value());
            } else {
                f.completeExceptionally(new PeerFailure(r.error(), r.toString()));
            }
        });
        return f;
    }

    /**
     * Tells {@code listener} of every event of the node (sessions up, peers unreachable, streams opened,
     * accepted and closed, datagrams, pongs), before the daemon completes a future or calls a handler for it
     * (so whoever that wakes sees what the listener recorded). It runs on the event
     * loop: return quickly and hand slow work to another thread. An exception it throws is logged and
     * ignored. Close the returned handle to stop listening.
     */
    public Subscription onEvent(Consumer<NodeEvent> listener) {
        listeners.add(java.util.Objects.requireNonNull(listener));
        return () -> listeners.remove(listener);
    }

    /** A listener's registration; closing it (which throws nothing) stops the events. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** One consistent reading of the node's counters, taken on the loop (for metrics and status pages). */
    public CompletableFuture<HostStats> snapshot() {
        if (!healthy()) {
            return CompletableFuture.failedFuture(new IOException("the host is closed"));
        }
        CompletableFuture<HostStats> f = new CompletableFuture<>();
        submit(() -> {
            Map<ErrorCode, Long> drops = new java.util.EnumMap<>(ErrorCode.class);
            for (ErrorCode c : ErrorCode.values()) {
                drops.put(c, node.droppedCount(c));
            }
            sessionPeers.removeIf(id -> !node.hasSession(id));
            f.complete(new HostStats(node.peerCount(), sessionPeers.size(), node.keyExchange().halfOpenCount(),
                    node.streamCount(), node.activeStreamCount(), node.packetsIn(), node.packetsOut(), node.bufferedBytes(),
                    drops));
        });
        return f;
    }

    /** The event loop is running (what {@code /healthz} reports for a host). */
    public boolean healthy() {
        return running && loop.isAlive();
    }

    /** Node statistics, read on the loop. */
    public CompletableFuture<String> stats() {
        CompletableFuture<String> f = new CompletableFuture<>();
        submit(() -> f.complete("peers=" + node.peerCount() + " streams=" + node.streamCount() + " active=" + node.activeStreamCount() + " in=" + node.packetsIn()
                + " out=" + node.packetsOut() + " buffered=" + node.bufferedBytes()));
        return f;
    }

    // ------------------------------------------------------------------ loop-side helpers for HostStream

    /**
     * A {@link HostStream#write} in progress: the caller's array (read only, on the loop, while the caller
     * waits) and how far the core has accepted it. Event loop only, except {@link #position} and {@link #done}.
     */
    static final class PendingWrite {
        final int stream;
        final byte[] data;
        private volatile int off;
        final int end;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        PendingWrite(int stream, byte[] data, int off, int end) {
            this.stream = stream;
            this.data = data;
            this.off = off;
            this.end = end;
        }

        /** How far the core accepted the array (the writer's progress check). */
        int position() {
            return off;
        }
    }

    /** Loop: the write starts; the rest is fed on STREAM_WRITABLE, and a close fails it. */
    void startWrite(PendingWrite w) {
        if (pendingWrites.putIfAbsent(w.stream, w) != null) {
            w.done.completeExceptionally(new IOException("stream " + w.stream + " has a write in progress"));
            return;
        }
        feed(w);
    }

    /** Loop: gives the core what fits of {@code w}; completes it when all is in, fails it when the stream is closed. */
    private void feed(PendingWrite w) {
        Result<Integer> r = node.write(w.stream, w.data, w.off, w.end - w.off, now());
        int n = r.isOk() ? r.value() : -1;
        if (n < 0) {
            pendingWrites.remove(w.stream, w);
            w.done.completeExceptionally(new IOException("stream " + w.stream + " is closed for writing"));
            return;
        }
        w.off += n;
        if (w.off == w.end) {
            pendingWrites.remove(w.stream, w);
            w.done.complete(null);
        } // else the core marked the stream write-blocked: STREAM_WRITABLE feeds the rest
    }

    /** The writer gave up (no progress, interrupted): the loop lets go of its array before the writer returns. */
    void cancelWrite(PendingWrite w) {
        CompletableFuture<Void> released = new CompletableFuture<>();
        submit(() -> {
            pendingWrites.remove(w.stream, w);
            released.complete(null);
        });
        try {
            released.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("write cancel not confirmed: {}", e.toString());
        }
    }

    void pullInto(HostStream s) {
        if (!node.read(s.id, 0, now()).isOk()) {
            return; // the core no longer holds it: only STREAM_CLOSED ends the pipe, with its error if any
        }
        int room = s.pipe.room();
        if (room > 0 && node.readableBytes(s.id) > 0) {
            byte[] data = node.read(s.id, room, now()).valueOrNull();
            if (data != null && data.length > 0) {
                s.pipe.put(data);
            }
        }
        if (node.readableBytes(s.id) > 0) {
            s.pipe.needRefill(); // the reader asks for the rest once it has made room
        }
        if (node.atEof(s.id)) {
            s.pipe.finish(null);
        }
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65536 + 64); // direct: the JDK copies heap buffers through one
        while (running) {
            try {
                long deadline = node.nextDeadline();
                long wait = deadline == Long.MAX_VALUE ? 1000 : Math.max(1, Math.min(1000, deadline - now()));
                if (closing) {
                    wait = Math.min(wait, 10);
                }
                selector.select(wait);
                selector.selectedKeys().clear();
                for (Runnable r = commands.poll(); r != null; r = commands.poll()) {
                    r.run();
                    drain();
                }
                receive(buf);
                if (node.nextDeadline() <= now()) {
                    node.handleTimeout(now());
                }
                drain();
                pullReadable();
                resolver.confirm(node.keyExchange()::isConfirmed);
                heartbeat();
                if (closing && (node.streamsSettled() || now() >= lingerUntil)) {
                    running = false;
                }
            } catch (Exception e) {
                if (running) {
                    LOG.error("event loop error (continuing): {}", e.toString(), e);
                }
            }
        }
    }

    /** Moves what arrived during this step into the streams' pipes (window updates it causes go out at once). */
    private void pullReadable() throws IOException {
        while (!readable.isEmpty()) {
            java.util.Iterator<HostStream> it = readable.iterator();
            HostStream s = it.next();
            it.remove();
            pullInto(s);
            drain();
        }
    }

    private void receive(ByteBuffer buf) throws IOException {
        for (int i = 0; i < 256; i++) { // bounded batch, then timers get their turn
            buf.clear();
            InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
            if (from == null) {
                return;
            }
            buf.flip();
            byte[] datagram = new byte[buf.remaining()];
            buf.get(datagram);
            node.handleDatagram(endpoint(from), datagram, now());
            drain();
            if (i % PULL_EVERY_DATAGRAMS == PULL_EVERY_DATAGRAMS - 1) {
                pullReadable(); // well before a stream's receive buffer (64 segments) fills and its window closes
            }
        }
    }

    private void drain() throws IOException {
        for (Transmit t = node.pollTransmit(); t != null; t = node.pollTransmit()) {
            InetSocketAddress to = destinations.of(t.to());
            byte[] d = t.datagram();
            ByteBuffer out = d.length <= sendBuf.capacity() ? sendBuf.clear().put(d).flip() : ByteBuffer.wrap(d);
            if (channel.send(out, to) == 0) {
                LOG.debug("socket buffer full: datagram to {} dropped (the protocol retransmits)", to);
            }
        }
        for (NodeEvent e = node.pollEvent(); e != null; e = node.pollEvent()) {
            onEvent(e);
        }
    }

    private void onEvent(NodeEvent e) {
        LOG.debug("event {}", e);
        // listeners first: code that a future or handler below wakes may rely on what its listener recorded
        for (Consumer<NodeEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                listenerLog.warn(LOG, now(), "event listener failed on {}: {}", e.kind(), ex.toString());
            }
        }
        handle(e);
    }

    private void handle(NodeEvent e) {
        if (e instanceof NodeEvent.PeerNeeded x) {
            lookup(x.peer().node());
        } else if (e instanceof NodeEvent.PeerUp x) {
            if (sessionPeers.add(x.peer().node()) && sessionPeers.size() > SESSION_PEERS) {
                sessionPeers.removeIf(id -> !node.hasSession(id));
            }
            sessionLog.info(LOG, now(), "session with {} established", x.peer()); // a keyed peer can re-key at will
            resolver.sessionUp(x.peer().node()); // a looked-up key is pinned once traffic authenticates
        } else if (e instanceof NodeEvent.PeerUnreachable x) {
            lookupLog.warn(LOG, now(), "peer {} unreachable: {}", x.peer(), x.error());
        } else if (e instanceof NodeEvent.StreamOpened x) {
            CompletableFuture<HostStream> f = dialing.remove(x.stream());
            if (f != null) {
                f.complete(streams.get(x.stream()));
            }
        } else if (e instanceof NodeEvent.StreamAccepted x) {
            HostStream s = new HostStream(this, x.stream(), x.peer(), x.localPort(), PIPE_BYTES);
            streams.put(x.stream(), s);
            Consumer<HostStream> a = acceptors.get(x.localPort());
            if (a != null) {
                a.accept(s);
            }
        } else if (e instanceof NodeEvent.StreamReadable x) {
            HostStream s = streams.get(x.stream());
            if (s != null) {
                readable.add(s); // moved once the datagrams at hand are handled: one reader wake-up per batch
            }
        } else if (e instanceof NodeEvent.StreamWritable x) {
            PendingWrite w = pendingWrites.get(x.stream());
            if (w != null) {
                feed(w);
            }
        } else if (e instanceof NodeEvent.StreamClosed x) {
            CompletableFuture<HostStream> f = dialing.remove(x.stream());
            if (f != null) {
                f.completeExceptionally(new PeerFailure(x.error(), "stream refused or unreachable: " + x.error()));
            }
            HostStream s = streams.remove(x.stream());
            if (s != null && x.error() != null) {
                s.pipe.finish(x.error().name());
            } else if (s != null) {
                pullInto(s); // ends the pipe at the end of the data; unread data stays in the core until read
                if (!node.read(s.id, 0, now()).isOk()) {
                    s.pipe.finish(null);
                }
            }
            PendingWrite w = pendingWrites.remove(x.stream());
            if (w != null) {
                w.done.completeExceptionally(new IOException("stream closed: " + x.error()));
            }
        } else if (e instanceof NodeEvent.Datagram x) {
            Consumer<NodeEvent.Datagram> h = datagramHandlers.get(x.localPort());
            if (h != null) {
                h.accept(x);
            }
        } else if (e instanceof NodeEvent.Pong x) {
            CompletableFuture<Long> f = pings.remove(x.ping());
            if (f != null) {
                f.complete(x.rttMillis());
            }
        } else if (e instanceof NodeEvent.PingTimeout x) {
            CompletableFuture<Long> f = pings.remove(x.ping());
            if (f != null) {
                f.completeExceptionally(new PeerFailure(x.error(), "no pong from " + x.peer() + ": " + x.error()));
            }
        }
    }

    /** What the resolver does: on the node, and pins into the trust table and the peer file. */
    private final class ResolverActions implements PeerResolver.Actions {
        @Override
        public void addPeer(int id, Endpoint endpoint, boolean rehandshake, long now) {
            node.addPeer(id, endpoint, now); // another endpoint than our session's: the core handshakes afresh there
            if (rehandshake) {
                node.rehandshake(id, now); // our own endpoint moved
            }
        }

        @Override
        public void lookupFailed(int id, long now) {
            node.peerLookupFailed(id, now);
        }

        @Override
        public void pin(int id, byte[] k) {
            trust.pin(id, k);
            try {
                if (!peers.pin(id, k)) {
                    LOG.warn("node {}: the registry's key differs from the one in the peer file; not saved", id);
                }
            } catch (IOException ex) {
                LOG.warn("cannot save the key of node {}: {}", id, ex.getMessage());
            }
        }

        @Override
        public boolean vouched(int id) {
            return node.lookupVouched(id);
        }
    }

    /**
     * PEER_NEEDED: the resolver decides (one look-up per id, its bounds, its negative cache); its registry
     * calls run on a side thread and their answers go back to it on the loop. The core already bounds how
     * often unauthenticated input asks (rate, negative cache) and how often a ping timeout re-asks where a peer
     * with a session went (once per 10 s per peer); the queue here is bounded too.
     */
    private void lookup(int id) {
        if (registry == null && (node.hasSession(id) || config.peers().stream().anyMatch(p -> p.node() == id))) {
            return; // a ping timeout's re-ask (the core's): nobody to ask, and the endpoint in use stays
        }
        if (registry == null) {
            lookupLog.warn(LOG, now(), "no registry: {} is unknown (pin it with --peer)", new Address(identity.network(), id));
            node.peerLookupFailed(id, now());
            return;
        }
        resolver.peerNeeded(id, false, now());
        startRegistryCalls();
    }

    /** Hands the resolver's requests to the look-up thread; each answer comes back on the loop. */
    private void startRegistryCalls() {
        var key = identity.signingKey(suite);
        for (PeerResolver.Request q = resolver.pollRequest(); q != null; q = resolver.pollRequest()) {
            int id = q.node();
            Address peer = new Address(identity.network(), id);
            boolean lookup = q.lookup();
            try {
                lookups.execute(() -> {
                    try {
                        if (lookup) {
                            byte[] peerKey = registry.lookup(id).publicKey();
                            byte[] pinned = peers.key(id);
                            if (pinned != null && !java.util.Arrays.equals(pinned, peerKey)) { // the resolver refuses it
                                lookupLog.warn(LOG, now(), "the registry's key for {} differs from the one pinned in {}; refusing it",
                                        peer, pilot.host.identity.PeerStore.beside(config.identity()));
                            }
                            submit(() -> answered(() -> resolver.lookedUp(id, peerKey, now())));
                        } else {
                            String real = registry.resolve(id, identity.nodeId(), key::sign);
                            Endpoint ep = resolvedEndpoint(real);
                            resolvedLog.info(LOG, now(), "resolved {} -> {}", peer, real);
                            submit(() -> answered(() -> resolver.resolved(id, ep, now())));
                        }
                    } catch (IOException | RuntimeException ex) {
                        lookupLog.warn(LOG, now(), "cannot resolve {}: {}", peer, ex.getMessage());
                        boolean unknown = ex instanceof RegistryClient.Refused; // the registry answered: no such node
                        submit(() -> answered(() -> resolver.failed(id, unknown, now())));
                    }
                });
                if (lookup) {
                    lookupsStarted.incrementAndGet();
                }
            } catch (RejectedExecutionException full) {
                lookupLog.warn(LOG, now(), "look-up queue full ({}): {} not looked up", LOOKUP_QUEUE, peer);
                resolver.failed(id, false, now());
            }
        }
    }

    private void answered(Runnable answer) {
        answer.run();
        startRegistryCalls();
    }

    private void heartbeat() {
        if (registry == null || now() < nextHeartbeat) {
            return;
        }
        nextHeartbeat = now() + config.heartbeatMillis();
        var key = identity.signingKey(suite);
        try {
            lookups.execute(() -> {
                try {
                    registry.heartbeat(identity.nodeId(), key::sign);
                    heartbeatFailures = 0;
                    if (movedAway()) {
                        // another process with our identity (say a CLI command) re-pointed our entry to itself
                        LOG.warn("the registry points our node at another port; registering this host again");
                        registerAgain(key);
                    }
                } catch (IOException e) {
                    heartbeatFailures++;
                    LOG.warn("registry heartbeat failed ({} in a row): {}", heartbeatFailures, e.getMessage());
                    if (e instanceof RegistryClient.Refused || heartbeatFailures >= HEARTBEAT_FAILURES_BEFORE_REREGISTER) {
                        registerAgain(key);
                    }
                }
            });
        } catch (RejectedExecutionException full) {
            LOG.debug("look-up queue full: heartbeat skipped, retried in {} ms", config.heartbeatMillis());
        }
    }

    /** Look-up thread: does the registry give our node another port than ours (the IP it sees may differ)? */
    private boolean movedAway() {
        try {
            String real = registry.lookup(identity.nodeId()).realAddr();
            int port = localEndpoint().getPort();
            return real != null && HostPort.portOf(real) != port;
        } catch (IOException e) {
            return false; // the next heartbeat tells
        }
    }

    /**
     * Look-up thread: the registry lost (or never had) our entry, e.g. it restarted with an empty store.
     * Register again, signed, at the same address; peers that resolve us find us again. Our node id is
     * fixed for the life of the process, so an entry under another id is an error to report, not to adopt.
     */
    private void registerAgain(pilot.core.crypto.SigningKey key) {
        try {
            RegistryClient.Registration r = registerSigned(identity.publicKey(), key);
            if (r.nodeId() != identity.nodeId()) {
                LOG.error("the registry now gives our key node id {}, not {}: restart this host to take the new address",
                        Integer.toUnsignedString(r.nodeId()), Integer.toUnsignedString(identity.nodeId()));
                return;
            }
            registry.setVisibility(r.nodeId(), true, key::sign);
            heartbeatFailures = 0;
            LOG.info("registered again with the registry as {}", address());
        } catch (IOException e) {
            LOG.warn("registering again failed: {}", e.getMessage());
        }
    }

    /** The endpoint a registry named: an IP literal and a port ({@link HostPort.Rule#IP}), never a name to look up. */
    static Endpoint resolvedEndpoint(String real) throws IOException {
        Result<HostPort> r = HostPort.parse(real, HostPort.Rule.IP);
        if (!r.isOk()) {
            throw new IOException("the registry named an endpoint that is not IP:PORT: " + r.detail());
        }
        return r.value().endpoint();
    }

    static Endpoint endpoint(InetSocketAddress a) {
        return new Endpoint(a.getAddress().getAddress(), a.getPort());
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Packets the node dropped, by reason (for logs and troubleshooting). */
    public String dropSummary() {
        StringBuilder sb = new StringBuilder();
        for (ErrorCode c : ErrorCode.values()) {
            long n = node.droppedCount(c);
            if (n > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(c.name()).append('=').append(n);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    @Override
    public void close() {
        if (loop.isAlive() && Thread.currentThread() != loop) {
            submit(() -> { // linger: pending ACKs now, then until FINs and data are acknowledged
                node.flushStreams(now());
                lingerUntil = now() + LINGER_MILLIS;
                closing = true;
            });
            try {
                loop.join(LINGER_MILLIS + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("closing: dropped packets: {}", dropSummary());
        running = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lookups.shutdownNow();
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.getMessage());
        }
        for (HostStream s : streams.values()) {
            s.pipe.finish(ErrorCode.ABORTED.name());
        }
        if (!loop.isAlive()) { // the loop's maps are ours now: writers waiting on it fail instead of timing out
            for (PendingWrite w : pendingWrites.values()) {
                w.done.completeExceptionally(new IOException("the host is closed"));
            }
            pendingWrites.clear();
        }
    }
}
