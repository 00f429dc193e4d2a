package pilot.host.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pilot.core.Result;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.edge.HostPort;
import pilot.core.edge.RelayBatch;
import pilot.core.edge.RelayMessage;
import pilot.core.edge.SignedTexts;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.FrameKind;
import pilot.core.frame.TunnelFrame;
import pilot.core.json.Json;
import pilot.core.wire.Hex;
import pilot.host.log.LogLimiter;
import pilot.host.registry.RegistryClient;

/**
 * The WebSocket ⇄ UDP relay that makes Cloudflare Workers Pilot peers (protocol: {@link RelayProtocol}).
 * Each logged-in Worker gets a UDP socket of its own; frames it sends leave from that socket and
 * datagrams arriving there go back on its WebSocket, so unmodified daemons talk to the Worker directly
 * at that endpoint. It never holds a Worker's key: registry requests arrive signed by the Worker.
 *
 * <p>This class is the IO. Every decision is the policy's: {@link RelayPolicy} (sockets, login attempts,
 * which keys, one connection per key) and one {@link WorkerPolicy} per Worker (allow-list, rate, idle);
 * both are pure and take time as an argument. Before the upgrade, {@link RelayChannelFactory} bounds the
 * request size and time; after it, {@link BoundedDraft} bounds frames and whole messages to
 * {@link RelayProtocol#MAX_BINARY} (close 1009 beyond, before anything that large is allocated).
 * Only frames that core-logic's {@link FrameCodec} decodes pass, either way, byte for byte: the relay
 * never sends more UDP bytes than the Worker's message carried. Stateless beyond its connections and the
 * keys it saw registered, so many copies can run.
 */
public final class RelayServer extends WebSocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    /** Registry requests one Worker may have outstanding; beyond, answered at once with an error. */
    public static final int MAX_REGISTRY_IN_FLIGHT = 8;
    /** Registry requests waiting for a thread, all Workers together; beyond, answered with an error. */
    public static final int MAX_REGISTRY_QUEUE = 1024;
    /**
     * Frames waiting to go out on one connection beyond which a ping is not answered: Java-WebSocket
     * queues pongs without limit for a client that sends pings and never reads.
     */
    public static final int MAX_QUEUED_FRAMES_FOR_PONG = 64;
    /**
     * Frames waiting to go out on one connection at which the relay stops answering its requests (registry
     * replies, dial_in answers) and closes it (1008): a client that asks and never reads would otherwise make
     * Java-WebSocket queue answers without limit. An honest client has at most a few answers outstanding.
     */
    public static final int MAX_QUEUED_ANSWERS = 64;
    /** Log lines a minute about things strangers can cause (refusals, drops). */
    public static final int LOG_LINES_PER_MINUTE = 60;
    /**
     * How often the relay looks for frames Java-WebSocket left queued with no write interest ({@link StalledWrites}):
     * the longest such a frame (an answer, a close frame, a datagram) waits before it goes out.
     */
    public static final long WRITE_REARM_MILLIS = 50;
    /**
     * Kernel receive buffer asked for each Worker's UDP socket. Linux's default (208 KiB) holds some 40 datagrams of
     * a 4 KiB segment (each takes more than its size there), less than a window a host sends a Worker in one burst:
     * whenever the relay's UDP loop was descheduled a moment, the kernel dropped the rest and the host retransmitted
     * it (an echo with a 256 KiB lead lost 9-74 datagrams per 8 MiB; docs/BENCHMARKS.md, branch {@code echo}).
     * Kernel memory, taken only while datagrams wait: the request is capped by net.core.rmem_max and Linux charges up
     * to twice what it granted (its SO_RCVBUF counts each datagram's overhead), per socket; sockets are the open
     * connections plus the parked dial-in endpoints ({@link RelayLimits#maxConnections} + {@code maxDialIns}); on the
     * machine, net.ipv4.udp_mem caps them all. A kernel that grants less is logged once at start
     * ({@link #workerReceiveBufferShortfall}).
     */
    public static final int WORKER_UDP_RECEIVE_BUFFER_BYTES = 1 << 20;

    private final CryptoSuite suite;
    private final Entropy entropy;
    private final RegistryClient registry;
    private final InetAddress udpHost;
    /** {@code stream_mss} of {@code auth_ok}: the stream segment Workers may send through this relay. */
    private volatile int workerStreamMss;
    private final RelayLimits limits;
    private final RelayPolicy policy;
    private final RelayChannelFactory channels;
    private final DialInConfig dialConfig;
    /** Dial-in identities, at most {@link RelayLimits.DialIn#maxDialIns}; additions under {@link #dialInLock}. */
    private final Map<RelayPolicy.Key, DialIn> dialIns = new ConcurrentHashMap<>();
    private final Object dialInLock = new Object();
    /**
     * Keys whose first dial failed, with the time before which they may not ask again (each {@code dial_in}
     * makes the relay dial, and wake, whatever Worker answers at the URL). At most
     * {@link RelayLimits.DialIn#maxDialIns} entries, oldest first; under {@link #dialInLock}.
     */
    private final LinkedHashMap<RelayPolicy.Key, Long> failedDialIns = new LinkedHashMap<>();
    /** Bytes held for all parked endpoints together. */
    private final AtomicLong parkedBytes = new AtomicLong();
    private final Selector udpSelector;
    private final ConcurrentLinkedQueue<Runnable> udpTasks = new ConcurrentLinkedQueue<>();
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalQueued = new AtomicLong();
    private final ExecutorService registryCalls = new ThreadPoolExecutor(2, 8, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(MAX_REGISTRY_QUEUE), r -> daemon(r, "relay-registry"), new ThreadPoolExecutor.AbortPolicy());
    private final ScheduledExecutorService timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "relay-timers"));
    private final Thread udpThread;
    private final LogLimiter hostileLog = new LogLimiter(LOG_LINES_PER_MINUTE, 60_000);
    private final boolean tls;
    private volatile boolean stopping;
    /** Counters for logs, tests and benchmarks. */
    public final AtomicLong authRefused = new AtomicLong();
    public final AtomicLong framesOut = new AtomicLong();
    public final AtomicLong framesIn = new AtomicLong();
    public final AtomicLong bytesOut = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong handshakesTimedOut = new AtomicLong();
    /** Connections whose queued frames Java-WebSocket would not have written (see {@link StalledWrites}). */
    public final AtomicLong writesRearmed = new AtomicLong();
    /** Dial-in: dials started, dials that failed or dropped, frames dropped from parked queues, heartbeats sent. */
    public final AtomicLong dials = new AtomicLong();
    public final AtomicLong dialsLost = new AtomicLong();
    public final AtomicLong parkedDropped = new AtomicLong();
    public final AtomicLong heartbeatsOnBehalf = new AtomicLong();
    /** Registry calls that got no answer (unreachable, timed out, closed): Workers cannot register or look peers up. */
    public final AtomicLong registryFailures = new AtomicLong();
    /** One WARN per minute for {@link #registryFailures} (each Worker's login tries again, so they come in runs). */
    private final LogLimiter registryLog = new LogLimiter(1, 60_000);
    /** The same events by direction, reason and outcome, for the metrics endpoint. */
    private final RelayCounters counters = new RelayCounters();
    /**
     * Test seam: runs on the decoding thread when a {@code dial_in} found its login provisional, before the
     * request is held; {@code DialInTest} blocks here to make the registration promote the login in between.
     */
    volatile Runnable beforeHoldingDialIn = () -> { };
    /**
     * Test seam: runs on the login's thread once the watch of its UDP endpoint is handed to the UDP thread
     * (datagrams may reach the login from then on); {@code DialInTest} sends a live datagram here to check what
     * the Worker received before it.
     */
    volatile Runnable afterWatching = () -> { };
    /**
     * Test seam: runs on the login's thread (the registry's, for a login that named its node id) right after the
     * session left AWAITING_AUTH, when the decoding thread may act on its new state (a {@code dial_in}, a frame);
     * {@code DialInTest} sends a {@code dial_in} and a datagram here.
     */
    volatile Runnable afterAdmitting = () -> { };
    /**
     * Test seam: runs on the login's thread once it took a parked dial-in endpoint over, before that endpoint is
     * watched for it; {@code DialInTest} sends datagrams to the endpoint here.
     */
    volatile Runnable afterTakingOver = () -> { };

    /** AWAITING_CHALLENGE: a dialled connection before the Worker's relay_challenge. */
    enum State { AWAITING_CHALLENGE, AWAITING_AUTH, PROVISIONAL, READY, CLOSED }

    /**
     * One WebSocket connection, with two ways in: accepted here (a Worker's outbound login) or dialled by the
     * relay ({@link DialClient}, {@code dialled}). Fields touched from several threads are volatile or guarded
     * by the session.
     */
    final class Session {
        final long id = nextId.getAndIncrement();
        final WebSocket ws;
        final String ip;
        final long openedAt = now();
        final String nonce;
        /** The relay dialled this connection (for {@link #dialIn}). */
        final boolean dialled;
        /** The dial-in this connection asked for (outbound) or serves (dialled); such a session never closes the UDP socket. */
        volatile DialIn dialIn;
        /** Makes {@link #answer}'s look at the queue and its send one step (registry answers come from other threads). */
        final Object answerLock = new Object();
        /**
         * A dial_in that arrived while provisional (at most one), answered once registered: by {@link #learn} when
         * it promotes the login, or by the decoding thread if the promotion came between its check and the hold
         * (whoever takes it out answers it, so exactly once; see {@link #holdDialIn}).
         */
        final AtomicReference<Map<String, Object>> pendingDialIn = new AtomicReference<>();
        volatile long lastPong = openedAt;
        long lastPing = openedAt;
        long lastTextPing = openedAt;
        volatile State state = State.AWAITING_AUTH;
        volatile RelayPolicy.Key key;
        String publicKeyBase64;
        volatile int nodeId;
        volatile WorkerPolicy worker;
        DatagramChannel udp;
        InetSocketAddress endpoint;
        final AtomicLong queued = new AtomicLong();
        /**
         * The Worker asked for batches in its auth_reply ({@link RelayProtocol#MAX_BATCH_BYTES}), outbound or dialled; read
         * only once the reply's signature verified, and it changes nothing but how this connection's frames are framed.
         */
        volatile boolean batching;
        final AtomicInteger registryInFlight = new AtomicInteger();
        /** One auth_reply per connection: a second one, or any other text before login, closes it. */
        final java.util.concurrent.atomic.AtomicBoolean loginStarted = new java.util.concurrent.atomic.AtomicBoolean();

        Session(WebSocket ws) {
            this(ws, remoteIp(ws), false);
        }

        Session(WebSocket ws, String ip, boolean dialled) {
            this.ws = ws;
            this.ip = ip;
            this.dialled = dialled;
            this.nonce = Hex.encode(entropy.bytes(32));
        }
    }

    /** The source the per-IP bounds count ({@link RelayPolicy#sourceOf}: an IPv6 client's /64). */
    private static String remoteIp(WebSocket ws) {
        InetSocketAddress remote = ws.getRemoteSocketAddress();
        return remote == null ? "?" : RelayPolicy.sourceOf(remote.getAddress());
    }

    public RelayServer(InetSocketAddress bind, InetAddress udpHost, RegistryClient registry, CryptoSuite suite,
                       Entropy entropy, RelayLimits limits) throws IOException {
        this(bind, udpHost, registry, suite, entropy, limits, Set.of(), null);
    }

    /**
     * @param allowedKeys empty: any key may log in and register through the provisional step; otherwise only these
     * @param tls         null: ws://; otherwise wss:// with this context ({@link RelayTls#context})
     */
    public RelayServer(InetSocketAddress bind, InetAddress udpHost, RegistryClient registry, CryptoSuite suite,
                       Entropy entropy, RelayLimits limits, Set<RelayPolicy.Key> allowedKeys, SSLContext tls)
            throws IOException {
        this(bind, udpHost, registry, suite, entropy, limits, allowedKeys, tls, DialInConfig.NONE);
    }

    /** @param dial whether and where this relay dials into Workers ({@link DialInConfig#NONE}: never) */
    public RelayServer(InetSocketAddress bind, InetAddress udpHost, RegistryClient registry, CryptoSuite suite,
                       Entropy entropy, RelayLimits limits, Set<RelayPolicy.Key> allowedKeys, SSLContext tls,
                       DialInConfig dial) throws IOException {
        super(bind, List.of(new BoundedDraft(
                List.<IProtocol>of(new Protocol(RelayProtocol.SUBPROTOCOL), new Protocol("")), RelayProtocol.MAX_BINARY)));
        this.suite = suite;
        this.entropy = entropy;
        this.registry = registry;
        this.udpHost = udpHost;
        this.workerStreamMss = RelayProtocol.streamMssFor(udpHost);
        this.limits = limits;
        this.tls = tls != null;
        this.dialConfig = dial;
        this.policy = new RelayPolicy(limits, allowedKeys);
        this.channels = new RelayChannelFactory(tls, policy, limits, RelayServer::now);
        setWebSocketFactory(channels);
        this.udpSelector = Selector.open();
        setReuseAddr(true);
        setTcpNoDelay(true); // one small frame per datagram: TCP Nagle plus delayed ACK would add up to 40 ms each way
        setConnectionLostTimeout(30); // WebSocket pings every 30 s find dead peers; they do not count as traffic
        this.udpThread = daemon(this::udpLoop, "relay-udp");
        udpThread.start();
        timers.scheduleAtFixedRate(this::sweep, 200, 200, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::rearmStalledWrites, WRITE_REARM_MILLIS, WRITE_REARM_MILLIS, TimeUnit.MILLISECONDS);
        if (dial.enabled()) {
            long hb = dial.limits().heartbeatMillis();
            timers.scheduleAtFixedRate(this::heartbeatsOnBehalf, hb, hb, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Overrides the {@code stream_mss} this relay tells Workers at login ({@link RelayProtocol#streamMssFor} of the
     * UDP address by default): an operator whose relay reaches its peers without fragmentation at a larger size
     * (or a benchmark comparing sizes). Call before {@link #start}.
     */
    public void setWorkerStreamMss(int mss) {
        if (mss < RelayProtocol.NETWORK_STREAM_MSS || mss > RelayProtocol.LOOPBACK_STREAM_MSS) {
            throw new IllegalArgumentException("stream segment must be " + RelayProtocol.NETWORK_STREAM_MSS + ".."
                    + RelayProtocol.LOOPBACK_STREAM_MSS + ": " + mss);
        }
        workerStreamMss = mss;
    }

    /** The relay's Ed25519 public key in base64 (what Workers pin as RELAY_PUBLIC_KEY), or null without one. */
    public String relayKeyBase64() {
        return dialConfig.publicKeyBase64();
    }

    /** Dial-in identities held (dialled, dialling or parked). */
    public int dialInCount() {
        return dialIns.size();
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    public int sessionCount() {
        return sessions.size();
    }

    public long queuedBytes() {
        return totalQueued.get();
    }

    /** TCP connections the relay holds, upgrading or open. */
    public int socketCount() {
        return policy.sockets();
    }

    public RelayPolicy policy() {
        return policy;
    }

    public RelayCounters counters() {
        return counters;
    }

    /** Registry requests waiting for a thread (bounded by {@link #MAX_REGISTRY_QUEUE}). */
    public int registryQueueDepth() {
        return ((ThreadPoolExecutor) registryCalls).getQueue().size();
    }

    /** Registry requests being answered right now. */
    public int registryActive() {
        return ((ThreadPoolExecutor) registryCalls).getActiveCount();
    }

    /** Bytes waiting on the fullest Worker's WebSocket (bounded by {@link RelayLimits#maxQueuedBytes}). */
    public long maxQueuedBytesOfOneWorker() {
        long max = 0;
        for (Session s : sessions.values()) {
            max = Math.max(max, s.queued.get());
        }
        return max;
    }

    /** WebSocket connections by login state: awaiting_auth, provisional, ready. */
    public Map<String, Integer> connectionsByState() {
        int[] n = new int[State.values().length];
        for (Session s : sessions.values()) {
            n[s.state.ordinal()]++;
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (State st : List.of(State.AWAITING_AUTH, State.PROVISIONAL, State.READY)) {
            m.put(st.name().toLowerCase(java.util.Locale.ROOT), n[st.ordinal()]);
        }
        return m;
    }

    /** Listening, not stopping, and its UDP thread alive: what {@code /healthz} reports. */
    public boolean healthy() {
        return started.getCount() == 0 && startFailure == null && !stopping && udpThread.isAlive();
    }

    // ------------------------------------------------------------------ WebSocket side

    private final CountDownLatch started = new CountDownLatch(1);
    /** Why the server could not start listening (its port taken, say); set at most once, before {@link #started} opens. */
    private volatile Exception startFailure;

    /** Waits until the server accepts connections; false on timeout, and at once when it failed to start ({@link #startFailure}). */
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS) && startFailure == null;
    }

    /** Why the server could not start listening (e.g. "Address already in use"), or null. */
    public String startFailure() {
        Exception e = startFailure;
        return e == null ? null : e.getMessage() != null ? e.getMessage() : e.toString();
    }

    @Override
    public void onStart() {
        started.countDown();
        LOG.info("relay listening on {}://{}{} (UDP endpoints on {})", tls ? "wss" : "ws",
                pilot.host.log.AddressText.of(new InetSocketAddress(getAddress().getAddress(), getPort())), RelayProtocol.PATH,
                udpHost.getHostAddress());
        String shortfall = workerReceiveBufferShortfall(udpHost);
        if (shortfall != null) {
            LOG.warn(shortfall); // once per relay: every Worker socket gets the same
        }
        if (dialConfig.relayKey() != null) {
            LOG.info("relay key {} (Workers pin it as RELAY_PUBLIC_KEY); dial-in {}", relayKeyBase64(),
                    dialConfig.enabled() ? "to " + dialConfig.allowPrefixes() : "off (no --dial-in-allow)");
        }
    }

    @Override
    public void onOpen(WebSocket ws, ClientHandshake handshake) {
        if (ws instanceof WebSocketImpl impl) {
            channels.upgraded(impl);
        }
        if (sessions.size() >= limits.maxConnections()) {
            counters.connectionsRefusedFull.incrementAndGet();
            hostile("relay full ({} connections): refusing {}", sessions.size(), ws.getRemoteSocketAddress());
            ws.close(CloseFrame.TRY_AGAIN_LATER, "relay full, try again later");
            return;
        }
        if (!RelayProtocol.PATH.equals(handshake.getResourceDescriptor())) {
            ws.close(CloseFrame.POLICY_VALIDATION, "unknown path; use " + RelayProtocol.PATH);
            return;
        }
        Session s = new Session(ws);
        counters.connectionsOpened.incrementAndGet();
        ws.setAttachment(s);
        sessions.put(s.id, s);
        answer(s, Json.write(Map.of("type", "auth_challenge", "nonce", s.nonce)));
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        Session s = ws.getAttachment();
        if (s == null || s.state == State.CLOSED) {
            if (s != null && s.dialled) {
                ws.close(CloseFrame.NORMAL, "dial-in ended"); // a dial that connected after it was given up
            }
            return;
        }
        if (s.dialled && "pong".equals(text)) {
            s.lastPong = now(); // the Durable Object's auto-response to our text ping
            return;
        }
        Result<Map<String, Object>> m = Json.parseObject(text);
        if (!m.isOk()) {
            refuse(s, CloseFrame.POLICY_VALIDATION, "malformed message: " + m.detail());
            return;
        }
        Object type = m.value().get("type");
        if (s.state == State.AWAITING_CHALLENGE) {
            if ("relay_challenge".equals(type)) {
                proveRelayKey(s, m.value());
            } else {
                refuse(s, CloseFrame.POLICY_VALIDATION, "expected relay_challenge");
            }
        } else if (s.state == State.AWAITING_AUTH) {
            if ("auth_reply".equals(type) && s.loginStarted.compareAndSet(false, true)) {
                login(s, m.value());
            } else {
                refuse(s, CloseFrame.POLICY_VALIDATION, "log in first (auth_reply)");
            }
        } else if ("registry".equals(type)) {
            forwardRegistry(s, m.value());
        } else if ("dial_in".equals(type)) {
            if (s.state != State.PROVISIONAL || !holdDialIn(s, m.value())) {
                dialInRequest(s, m.value());
            }
        } else if ("dial_in_cancel".equals(type)) {
            cancelDialIn(s);
        }
        // other text after login is reserved and ignored (as in spec J); it is not traffic, so it keeps nothing alive
    }

    /**
     * Holds a provisional login's {@code dial_in} until {@link #learn} promotes the login and answers it. The
     * promotion may land between the caller's check and the hold, after {@code learn} looked for a held request:
     * so the state is read again after holding, and a promoted login's request is taken back here. Both sides
     * take it out with one atomic swap, so it is answered exactly once. Returns false when the caller is to
     * answer it now. A second {@code dial_in} while one is held is refused (one held request per connection).
     */
    private boolean holdDialIn(Session s, Map<String, Object> m) {
        beforeHoldingDialIn.run();
        if (!s.pendingDialIn.compareAndSet(null, m)) {
            dialInError(s, "a dial_in is already held until your register_ok");
            return true;
        }
        // still provisional: learn answers it; closed meanwhile: nobody to answer; promoted meanwhile: take it back,
        // unless learn already took it
        return s.state != State.READY || s.pendingDialIn.getAndSet(null) == null;
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer message) {
        Session s = ws.getAttachment();
        if (s == null || s.state == State.CLOSED) {
            if (s != null && s.dialled) {
                ws.close(CloseFrame.NORMAL, "dial-in ended"); // a dial that connected after it was given up
            }
            return;
        }
        if (s.state == State.PROVISIONAL) {
            // a reconnecting Worker's node may emit frames before its register_ok: dropped, not fatal
            drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.NOT_REGISTERED_YET, "frame before the registration");
            return;
        }
        if (s.state != State.READY) {
            refuse(s, CloseFrame.POLICY_VALIDATION, "binary message before login");
            return;
        }
        byte[] msg = new byte[message.remaining()];
        message.get(msg);
        if (s.batching && RelayBatch.isBatch(msg)) {
            sendBatch(s, msg);
            return;
        }
        sendUdp(s, msg);
    }

    /**
     * A batch from a Worker that asked for batches (auth_ok told it we take them): each message inside goes out as
     * if it had come alone, in order, through the same checks and counters, so a batch can cost no more than its
     * messages sent one by one (at most {@link RelayProtocol#MAX_BATCH_BYTES}; a larger WebSocket message is
     * refused by the frame limit before this). A malformed batch closes the connection, as a malformed message does.
     */
    private void sendBatch(Session s, byte[] msg) {
        Result<RelayBatch> b = RelayBatch.split(msg);
        if (!b.isOk()) {
            refuse(s, CloseFrame.POLICY_VALIDATION, "malformed batch: " + b.error());
            return;
        }
        RelayBatch batch = b.value();
        for (int i = 0; i < batch.count() && s.state == State.READY; i++) {
            sendUdp(s, batch.message(msg, i));
        }
    }

    @Override
    public void onWebsocketPing(WebSocket ws, org.java_websocket.framing.Framedata ping) {
        if (queuedFrames(ws) >= MAX_QUEUED_FRAMES_FOR_PONG) {
            return; // a client that does not read gets no more pongs queued
        }
        super.onWebsocketPing(ws, ping);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason, boolean remote) {
        Session s = ws.getAttachment();
        if (s != null) {
            if (s.publicKeyBase64 != null) { // a Worker that had logged in: the operator sees it leave, as it came
                hostile("Worker {} disconnected: {}", s.publicKeyBase64, code + (remote ? "" : " (closed by the relay)")
                        + (reason == null || reason.isEmpty() ? "" : " " + printable(reason)));
            }
            end(s);
        }
    }

    @Override
    public void onError(WebSocket ws, Exception ex) {
        if (ws == null) {
            if (started.getCount() > 0) {
                startFailure = ex; // before onStart: it will never listen (the caller says why and exits)
                started.countDown();
                return;
            }
            LOG.error("relay server error: {}", ex.toString());
        } else {
            LOG.debug("relay connection error {}: {}", ws.getRemoteSocketAddress(), ex.toString());
        }
    }

    private void login(Session s, Map<String, Object> m) {
        if (!s.dialled && !policy.loginAttempt(s.ip, now())) { // a dialled login is paced by the relay's own dials
            authRefused.incrementAndGet();
            counters.login(RelayCounters.LoginOutcome.REFUSED);
            refuse(s, CloseFrame.TRY_AGAIN_LATER, "too many login attempts from your address");
            return;
        }
        String keyB64;
        byte[] key;
        byte[] sig;
        try {
            keyB64 = (String) m.get("public_key");
            key = Base64.getDecoder().decode(keyB64);
            sig = Base64.getDecoder().decode((String) m.get("sig"));
        } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
            authRefused.incrementAndGet();
            counters.login(RelayCounters.LoginOutcome.REFUSED);
            refuse(s, CloseFrame.POLICY_VALIDATION, "authentication failed: malformed auth_reply");
            return;
        }
        if (key.length != 32 || !suite.ed25519Verify(key, SignedTexts.ascii(SignedTexts.relayAuth(s.nonce, keyB64)), sig)) {
            authRefused.incrementAndGet();
            counters.login(RelayCounters.LoginOutcome.REFUSED);
            refuse(s, CloseFrame.POLICY_VALIDATION, "authentication failed");
            return;
        }
        s.batching = Boolean.TRUE.equals(m.get("batch"));
        RelayPolicy.Key k = new RelayPolicy.Key(key);
        if (s.dialled) {
            admitDialled(s, k, keyB64);
            return;
        }
        if (!policy.isKnown(k) && m.get("node_id") instanceof Long node && registry != null) {
            // the Worker says it is registered as `node`: one look-up, and the key is known if the registry agrees
            try {
                registryCalls.execute(() -> {
                    if (registeredAs(node, key)) {
                        policy.remember(k);
                    }
                    admit(s, k, keyB64);
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                admit(s, k, keyB64); // registry busy: as if no node id had been given
            }
            return;
        }
        admit(s, k, keyB64);
    }

    /** Whether the registry holds {@code key} for node {@code node}. */
    private boolean registeredAs(long node, byte[] key) {
        try {
            Map<String, Object> answer = registry.raw(Map.of("type", "lookup", "node_id", node));
            return "lookup_ok".equals(answer.get("type")) && answer.get("public_key") instanceof String b64
                    && java.util.Arrays.equals(Base64.getDecoder().decode(b64), key);
        } catch (IOException e) {
            registryFailed(e);
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The longest close reason a WebSocket close frame carries (RFC 6455: 125 bytes of payload, 2 of them the code). */
    private static final int MAX_CLOSE_REASON = 123;

    /** {@code text} (a peer's close reason) for one log line: control characters as '?', at most {@link #MAX_CLOSE_REASON}. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_CLOSE_REASON));
        for (int i = 0; i < text.length() && i < MAX_CLOSE_REASON; i++) {
            char c = text.charAt(i);
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR ? '?' : c);
        }
        return b.toString();
    }

    /** A registry call got no answer: counted, and said to the operator (Workers see only their own error). */
    private void registryFailed(IOException e) {
        registryFailures.incrementAndGet();
        registryLog.warn(LOG, now(), "registry unreachable: {}; Workers cannot register or look peers up until it answers",
                String.valueOf(e.getMessage()));
    }

    /** The signature verified: what the policy says about this key, then the UDP endpoint. */
    private void admit(Session s, RelayPolicy.Key k, String keyB64) {
        RelayPolicy.Login verdict;
        synchronized (s) {
            if (s.state != State.AWAITING_AUTH) {
                return; // closed meanwhile
            }
            verdict = policy.login(s.id, s.ip, k);
            if (verdict instanceof RelayPolicy.Login.Refused r) {
                authRefused.incrementAndGet();
                counters.login(RelayCounters.LoginOutcome.REFUSED);
            } else {
                s.key = k;
                s.publicKeyBase64 = keyB64;
            }
        }
        long replaced;
        if (verdict instanceof RelayPolicy.Login.Refused r) {
            refuse(s, CloseFrame.TRY_AGAIN_LATER, r.reason());
            return;
        } else if (verdict instanceof RelayPolicy.Login.Full f) {
            replaced = f.replaced();
        } else {
            replaced = ((RelayPolicy.Login.Provisional) verdict).replaced();
        }
        Session older = replaced < 0 ? null : sessions.get(replaced);
        if (older != null) {
            older.ws.close(CloseFrame.NORMAL, "replaced by a newer login of the same key");
            end(older);
        }
        // a newer outbound login of a dial-in key takes its parked endpoint over (the Worker woke and dialled out)
        DialIn parked = dialIns.get(k);
        DatagramChannel taken = parked == null ? null : forget(parked, "replaced by a newer login of the same key", true);
        List<byte[]> held = taken == null ? List.of() : drainHeld(parked);
        if (taken != null) {
            afterTakingOver.run();
        }
        boolean full = verdict instanceof RelayPolicy.Login.Full;
        String ok;
        try {
            DatagramChannel udp = taken != null ? taken : openWorkerSocket(udpHost);
            synchronized (s) {
                if (s.state != State.AWAITING_AUTH) {
                    parkedDropped.addAndGet(held.size()); // closed meanwhile: nobody to hand them to
                    udp.close();
                    return;
                }
                s.udp = udp;
                s.endpoint = (InetSocketAddress) udp.getLocalAddress();
                s.worker = taken != null ? parked.worker : new WorkerPolicy(limits, now());
                s.worker.loggedIn(now());
                ok = authOk(s, endpointText(s));
                // the login's UDP task is queued before the new state is written: whatever the decoding thread does
                // once it reads that state (a dial_in's watch, a frame's answer) comes after this task in the UDP
                // thread's queue, so it can neither take the endpoint from a dial-in nor get a frame before auth_ok
                udpTasks.add(() -> greet(s, udp, ok, held, full));
                s.state = full ? State.READY : State.PROVISIONAL;
            }
        } catch (IOException e) {
            parkedDropped.addAndGet(held.size());
            refuse(s, CloseFrame.TRY_AGAIN_LATER, "no UDP endpoint available");
            return;
        }
        udpSelector.wakeup();
        afterAdmitting.run();
        afterWatching.run();
        counters.login(full ? RelayCounters.LoginOutcome.FULL : RelayCounters.LoginOutcome.PROVISIONAL);
        if (full) {
            LOG.info("Worker {} logged in, UDP endpoint {}", keyB64, endpointText(s));
        } else {
            hostile("Worker {} logged in provisionally (registers next), UDP endpoint {}", keyB64, endpointText(s));
        }
    }

    /**
     * A login's first step on the UDP thread, the one that delivers datagrams: {@code auth_ok}, then the frames held
     * while its endpoint was parked, and only then the watch of the endpoint for it, so its live datagrams come after
     * both (a later task, such as a dial_in's watch, still comes after it). {@link #admit} queues this just before it
     * writes the login's state; reading the state under the session's lock waits until it has, so auth_ok never
     * reaches a Worker whose next message would still find the login awaiting it.
     */
    private void greet(Session s, DatagramChannel udp, String ok, List<byte[]> held, boolean full) {
        State state;
        synchronized (s) {
            state = s.state;
        }
        if (state == State.CLOSED || !s.ws.isOpen() || !answer(s, ok)) {
            parkedDropped.addAndGet(held.size()); // the login ended before it was answered, or at its answer
            return;
        }
        try {
            if (full) {
                sendHeld(s, held);
            }
        } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
            LOG.debug("login ended before its held frames were sent");
        }
        if (!full) {
            parkedDropped.addAndGet(held.size()); // a provisional login receives nothing yet
        }
        watchNow(udp, s);
    }

    private static String endpointText(Session s) {
        return s.endpoint.getAddress().getHostAddress() + ":" + s.endpoint.getPort();
    }

    /** Forwards a Worker's (already signed) registry request after checking it speaks only for itself. */
    @SuppressWarnings("unchecked")
    private void forwardRegistry(Session s, Map<String, Object> m) {
        Object id = m.get("id");
        if (!(m.get("request") instanceof Map<?, ?> raw) || registry == null) {
            reply(s, id, Map.of("type", "error", "error", registry == null ? "this relay has no registry" : "no request"));
            return;
        }
        Map<String, Object> req = new LinkedHashMap<>((Map<String, Object>) raw);
        String type = String.valueOf(req.get("type"));
        if (s.state == State.PROVISIONAL && !"register".equals(type)) {
            reply(s, id, Map.of("type", "error", "error", "register your key first (this relay does not know it yet)"));
            return;
        }
        switch (type) {
            case "register" -> {
                if (!s.publicKeyBase64.equals(req.get("public_key"))) {
                    reply(s, id, Map.of("type", "error", "error", "register only the key you logged in with"));
                    return;
                }
                req.put("listen_addr", endpointText(s)); // the Worker's address is the relay endpoint, nothing else
            }
            case "lookup", "resolve" -> {
            }
            case "heartbeat", "set_visibility" -> {
                Object node = req.get("node_id");
                if (s.nodeId == 0 || !(node instanceof Long n) || n != Integer.toUnsignedLong(s.nodeId)) {
                    reply(s, id, Map.of("type", "error", "error", type + " only for your own node id (register first)"));
                    return;
                }
            }
            default -> {
                reply(s, id, Map.of("type", "error", "error", "registry request type not relayed: " + type));
                return;
            }
        }
        if (s.registryInFlight.incrementAndGet() > MAX_REGISTRY_IN_FLIGHT) {
            s.registryInFlight.decrementAndGet();
            reply(s, id, Map.of("type", "error", "error", "too many registry requests in flight"));
            return;
        }
        try {
            registryCalls.execute(() -> {
                Map<String, Object> answer;
                try {
                    answer = registry.raw(req);
                } catch (IOException e) {
                    registryFailed(e);
                    answer = Map.of("type", "error", "error", String.valueOf(e.getMessage()));
                } finally {
                    s.registryInFlight.decrementAndGet();
                }
                learn(s, type, answer);
                reply(s, id, answer);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            s.registryInFlight.decrementAndGet();
            reply(s, id, Map.of("type", "error", "error", "relay busy, try again"));
        }
    }

    /** Registry answers name the endpoints a Worker may send to, and its own node id; register_ok promotes. */
    private void learn(Session s, String requestType, Map<String, Object> answer) {
        Object type = answer.get("type");
        if ("register".equals(requestType) && "register_ok".equals(type) && answer.get("node_id") instanceof Long n) {
            synchronized (s) {
                if (s.state == State.CLOSED) {
                    return;
                }
                s.nodeId = (int) (long) n;
                policy.registered(s.id, s.key);
                if (s.state == State.PROVISIONAL) {
                    s.state = State.READY;
                    hostile("Worker {} registered as node {}: promoted", s.publicKeyBase64,
                            Integer.toUnsignedString(s.nodeId) + " (" + new pilot.core.addr.Address(0, s.nodeId) + ")");
                }
            }
            DialIn d = s.dialIn;
            if (d != null) {
                synchronized (d) {
                    d.nodeId = s.nodeId;
                }
            }
            Map<String, Object> pending = s.pendingDialIn.getAndSet(null); // after the promotion: see holdDialIn
            if (pending != null) {
                dialInRequest(s, pending);
            }
        }
        WorkerPolicy w = s.worker;
        if (w != null && answer.get("real_addr") instanceof String addr) {
            // an IP literal only: a registry answer never makes the relay look a name up
            Result<HostPort> named = HostPort.parse(addr, HostPort.Rule.IP);
            if (!named.isOk()) {
                LOG.debug("registry named an odd endpoint {}: {}", addr, named.detail());
                return;
            }
            try {
                InetSocketAddress ep = new InetSocketAddress(InetAddress.getByAddress(named.value().ip()), named.value().port());
                if (!w.resolved(ep)) {
                    drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.ALLOW_LIST_FULL, "allow-list full; not adding " + addr);
                }
            } catch (IOException e) {
                LOG.debug("registry named an odd endpoint {}: {}", addr, e.getMessage()); // not reached: 4 or 16 bytes
            }
        }
    }

    private void reply(Session s, Object id, Map<String, Object> answer) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "registry_reply");
        m.put("id", id);
        m.put("reply", answer);
        answer(s, Json.write(m));
    }

    /** Frames waiting to go out on the connections this relay dialled, the fullest one's (tests: the bounds hold there). */
    int mostQueuedFramesOfDialled() {
        int most = 0;
        for (Session s : sessions.values()) {
            if (s.dialled) {
                most = Math.max(most, queuedFrames(s.ws));
            }
        }
        return most;
    }

    /** Frames waiting to go out on {@code ws} (the bound for pongs and for answers both read it). */
    static int queuedFrames(WebSocket ws) {
        // a dialled connection is a client (DialClient), whose frames wait in the connection it wraps
        WebSocket conn = ws instanceof org.java_websocket.client.WebSocketClient c ? c.getConnection() : ws;
        return conn instanceof WebSocketImpl impl ? impl.outQueue.size() : 0;
    }

    /**
     * Sends a text answer to a client's request, unless {@link #MAX_QUEUED_ANSWERS} frames already wait for it to
     * read: then the connection is closed (1008) and counted instead, so asking without reading costs bounded memory.
     * Every text the relay sends a client goes through this bound, the login's too ({@code auth_challenge},
     * {@code relay_proof}, {@code auth_ok}): a client may have left pongs unread before it logs in. Two sends under a
     * DialIn's lock, where closing is not allowed (see {@link #withinAnswerBound}), skip it: a dialled {@code auth_ok},
     * checked just before the lock (one frame beyond the bound at most), and the one {@code dial_in_error} of a failed
     * first dial (one per dial-in). Returns whether it was sent.
     */
    private boolean answer(Session s, String text) {
        synchronized (s.answerLock) {
            return withinAnswerBound(s) && sendText(s, text);
        }
    }

    /**
     * {@link #answer}'s bound alone: false, and the connection closed (1008) and counted, once {@link #MAX_QUEUED_ANSWERS}
     * frames wait; false too when it is closed. Never call it holding a {@link DialIn}'s lock: closing takes the
     * connection's own lock, and a dialled connection's writer takes that lock before the DialIn's when it ends
     * ({@code eot -> onClose -> connectionEnded}), so the two orders would deadlock.
     */
    private boolean withinAnswerBound(Session s) {
        synchronized (s.answerLock) { // closed inside: once closed, isOpen is false, so it is closed and counted once
            if (!s.ws.isOpen()) {
                return false;
            }
            if (queuedFrames(s.ws) >= MAX_QUEUED_ANSWERS) {
                counters.closedNotReading.incrementAndGet();
                refuse(s, CloseFrame.POLICY_VALIDATION, "not reading its answers");
                return false;
            }
            return true;
        }
    }

    /** Sends {@code text} without closing anything (safe under a DialIn's lock); false when the connection is closed. */
    private static boolean sendText(Session s, String text) {
        synchronized (s.answerLock) {
            try {
                s.ws.send(text);
                return true;
            } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
                return false; // closed since the look: nobody to answer
            }
        }
    }

    // ------------------------------------------------------------------ UDP side

    /** Decodes with core-logic's frame decoder; null when it is not a well-formed Pilot frame. */
    static FrameKind kindOf(byte[] b, int off, int len) {
        Result<TunnelFrame> f = FrameCodec.decode(b, off, len);
        return f.isOk() ? f.value().kind() : null;
    }

    private void sendUdp(Session s, byte[] msg) {
        Result<RelayMessage> m = RelayMessage.decode(msg);
        if (!m.isOk()) {
            if (m.error() == pilot.core.ErrorCode.BAD_ADDRESS) {
                drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.BAD_ADDRESS, "bad address");
            } else {
                refuse(s, CloseFrame.POLICY_VALIDATION, "malformed binary message");
            }
            return;
        }
        int h = m.value().frameOffset();
        InetSocketAddress to;
        try {
            to = new InetSocketAddress(InetAddress.getByAddress(m.value().peer().ip()), m.value().peer().port());
        } catch (IOException e) {
            drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.BAD_ADDRESS, "bad address");
            return;
        }
        int frameLen = msg.length - h;
        WorkerPolicy.Verdict v = s.worker.outbound(to, kindOf(msg, h, frameLen), now());
        if (v != WorkerPolicy.Verdict.FORWARD) {
            drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.of(v), "to " + to + ": " + v);
            return;
        }
        DatagramChannel udp = s.udp;
        if (udp == null) {
            return;
        }
        try {
            // exactly the frame the Worker sent: never more bytes out than came in
            if (udp.send(ByteBuffer.wrap(msg, h, frameLen), to) == 0) {
                drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.UDP_BUFFER_FULL, "UDP send buffer full");
            } else {
                framesOut.incrementAndGet();
                bytesOut.addAndGet(frameLen);
                counters.forwarded(RelayCounters.Direction.OUT, frameLen);
            }
        } catch (IOException e) {
            drop(s, RelayCounters.Direction.OUT, RelayCounters.DropReason.UDP_SEND_FAILED, "UDP send failed: " + e.getMessage());
        }
    }

    private void udpLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65_536 + 64);
        while (!stopping) {
            try {
                udpSelector.select(1000);
                for (Runnable r = udpTasks.poll(); r != null; r = udpTasks.poll()) {
                    r.run();
                }
                for (SelectionKey key : udpSelector.selectedKeys()) {
                    Object owner = key.attachment();
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    Batch batch = owner instanceof Session s && s.batching ? new Batch(s, s.ws::send) : null;
                    for (int i = 0; i < 64; i++) {
                        buf.clear();
                        InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                        if (from == null) {
                            break;
                        }
                        buf.flip();
                        if (owner instanceof DialIn d) {
                            batch = deliverDialIn(d, from, buf, batch);
                        } else if (batch != null) {
                            batch.add(inbound((Session) owner, from, buf));
                        } else {
                            deliver((Session) owner, from, buf);
                        }
                    }
                    if (batch != null) {
                        batch.flush();
                    }
                }
                udpSelector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (!stopping) {
                    LOG.warn("relay UDP loop: {}", e.toString());
                }
            }
        }
    }

    /** A datagram for a Worker: onto its WebSocket if the policy lets it, unless its queue (or all queues) are full. */
    private void deliver(Session s, InetSocketAddress from, ByteBuffer datagram) {
        byte[] message = inbound(s, from, datagram);
        if (message != null) {
            s.ws.send(message);
        }
    }

    /**
     * The datagrams for one batching Worker that one pass of the UDP loop read, as few WebSocket messages as
     * {@link RelayProtocol#MAX_BATCH_BYTES} allows, in order: one event and one step in the Worker per message
     * instead of per datagram.
     */
    static final class Batch {
        /** The connection the batch is for (a dial-in's live one may change between datagrams), or null. */
        final Session session;
        private final java.util.function.Consumer<byte[]> send;
        private final List<byte[]> messages = new ArrayList<>();
        private int bytes = 1;

        Batch(Session session, java.util.function.Consumer<byte[]> send) {
            this.session = session;
            this.send = send;
        }

        Batch(java.util.function.Consumer<byte[]> send) {
            this(null, send);
        }

        /** Adds a message (null: nothing), sending what is held first when it would not fit. */
        void add(byte[] message) {
            if (message == null) {
                return;
            }
            if (!RelayBatch.fits(bytes, message.length)) {
                flush(); // then it starts the next batch, or goes alone if it never fits one
            }
            messages.add(message);
            bytes += RelayBatch.RECORD_HEADER + message.length;
        }

        void flush() {
            if (messages.size() == 1) {
                send.accept(messages.get(0)); // alone, or too large for a batch: as it is
            } else if (!messages.isEmpty()) {
                Result<byte[]> b = RelayBatch.encode(messages);
                if (b.isOk()) {
                    send.accept(b.value());
                } else {
                    messages.forEach(send); // cannot happen (add keeps each batch within the bound): one by one
                }
            }
            messages.clear();
            bytes = 1;
        }
    }

    /** The relay message for a datagram to a Worker if the policy and the queue bounds let it through (counted), else null. */
    private byte[] inbound(Session s, InetSocketAddress from, ByteBuffer datagram) {
        WorkerPolicy w = s.worker;
        if (s.state != State.READY || w == null || !s.ws.isOpen()) {
            return null;
        }
        int len = datagram.remaining();
        WorkerPolicy.Verdict v = w.inbound(from, kindOf(datagram.array(), datagram.position(), len), now());
        if (v != WorkerPolicy.Verdict.FORWARD) {
            drop(s, RelayCounters.Direction.IN, RelayCounters.DropReason.of(v), "from " + from + ": " + v);
            return null;
        }
        if (!s.ws.hasBufferedData()) {
            totalQueued.addAndGet(-s.queued.getAndSet(0)); // everything before was flushed
        }
        if (s.queued.get() + len > limits.maxQueuedBytes() || totalQueued.get() + len > limits.maxTotalQueuedBytes()) {
            drop(s, RelayCounters.Direction.IN, RelayCounters.DropReason.QUEUE_FULL, "Worker's queue full (backpressure)");
            return null;
        }
        s.queued.addAndGet(len);
        totalQueued.addAndGet(len);
        framesIn.incrementAndGet();
        counters.forwarded(RelayCounters.Direction.IN, len);
        return RelayProtocol.pack(from, datagram.array(), datagram.position(), len);
    }

    // ------------------------------------------------------------------ dial-in

    /** A logged-in outbound connection asks to be dialled at a URL (see {@link RelayProtocol}, dial-in). */
    private void dialInRequest(Session s, Map<String, Object> m) {
        if (s.dialled || s.dialIn != null) {
            dialInError(s, s.dialled ? "dial_in on a dialled connection" : "this connection already set up a dial-in");
            return;
        }
        if (!dialConfig.enabled()) {
            dialInError(s, "this relay does not dial in");
            return;
        }
        URI uri = DialInPolicy.dialUri(m.get("url") instanceof String u ? u : null, dialConfig.allowPrefixes());
        if (uri == null) {
            dialInError(s, "url not allowed: this relay dials only http(s) URLs under " + dialConfig.allowPrefixes());
            return;
        }
        Map<String, Object> heartbeat = null;
        if (m.get("heartbeat") != null) {
            heartbeat = heartbeatOf(s, m.get("heartbeat"));
            if (heartbeat == null) {
                dialInError(s, "heartbeat must be {node_id, signature} signed by your key over heartbeat:<node_id>");
                return;
            }
        }
        DialIn d;
        synchronized (dialInLock) {
            Long until = failedDialIns.get(s.key);
            if (until != null && now() < until) {
                dialInError(s, "the last dial-in for this key failed or was cancelled before it was dialled in; ask again in " + (until - now()) + " ms");
                return;
            }
            failedDialIns.remove(s.key);
            if (dialIns.size() >= dialConfig.limits().maxDialIns()) {
                dialInError(s, "this relay holds its maximum of " + dialConfig.limits().maxDialIns() + " dial-ins; try later");
                return;
            }
            if (dialIns.containsKey(s.key)) {
                dialInError(s, "a dial-in for this key is already active");
                return;
            }
            synchronized (s) {
                if (s.state != State.READY || s.udp == null) {
                    return;
                }
                d = new DialIn(s.key, s.publicKeyBase64, uri, heartbeat, s.udp, s.endpoint, s.worker,
                        new DialInPolicy(dialConfig.limits(), now()));
                d.outbound = s;
                d.nodeId = s.nodeId;
                s.dialIn = d;
            }
            dialIns.put(s.key, d);
        }
        watchFor(d.udp, d); // after the login's own registration: tasks run in order
        answer(s, Json.write(Map.of("type", "dial_in_ok", "relay_key", relayKeyBase64())));
        hostile("Worker {} asked to be dialled at {}", s.publicKeyBase64, uri);
        maybeDial(d);
    }

    /** The heartbeat to repeat, if {@code o} is {@code {node_id, signature}} signed by the session's own key. */
    private Map<String, Object> heartbeatOf(Session s, Object o) {
        if (!(o instanceof Map<?, ?> hb) || !(hb.get("node_id") instanceof Long node) || node <= 0 || node > 0xFFFFFFFFL
                || !(hb.get("signature") instanceof String sigB64)) {
            return null;
        }
        try {
            byte[] sig = Base64.getDecoder().decode(sigB64);
            byte[] text = ("heartbeat:" + node).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return suite.ed25519Verify(s.key.bytes(), text, sig)
                    ? Map.of("type", "heartbeat", "node_id", node, "signature", sigB64) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void dialInError(Session s, String why) {
        hostile("dial_in from Worker {} refused: {}", s.publicKeyBase64, why);
        answer(s, Json.write(Map.of("type", "dial_in_error", "error", why)));
    }

    private void cancelDialIn(Session s) {
        DialIn d = s.dialIn;
        if (d != null) {
            forget(d, "dial-in cancelled", false);
        }
    }

    /** Starts a dial if the policy says one is due. */
    private void maybeDial(DialIn d) {
        DialClient c;
        synchronized (d) {
            long now = now();
            if (d.forgotten || stopping || !d.policy.dialDue(now)) {
                return;
            }
            d.policy.dialStarted(now);
            c = new DialClient(this, d.uri, dialConfig.limits().connectTimeoutMillis());
            Session s = new Session(c, d.uri.getHost(), true);
            s.dialIn = d;
            s.state = State.AWAITING_CHALLENGE;
            c.setAttachment(s);
            d.dialled = s;
            sessions.put(s.id, s);
        }
        dials.incrementAndGet();
        c.connect(); // failures arrive as onClose, which parks or forgets
    }

    /** The Worker's relay_challenge on a dialled connection: prove the relay key, then the usual login. */
    private void proveRelayKey(Session s, Map<String, Object> m) {
        DialIn d = s.dialIn;
        if (d == null || !(m.get("nonce") instanceof String nonce) || !nonce.matches("[0-9a-f]{32}")) {
            refuse(s, CloseFrame.POLICY_VALIDATION, "malformed relay_challenge");
            return;
        }
        byte[] sig = dialConfig.relayKey().sign(RelayProtocol.dialChallenge(nonce, d.keyBase64));
        s.state = State.AWAITING_AUTH;
        if (answer(s, Json.write(Map.of("type", "relay_proof", "relay_key", relayKeyBase64(),
                "sig", Base64.getEncoder().encodeToString(sig))))) {
            answer(s, Json.write(Map.of("type", "auth_challenge", "nonce", s.nonce)));
        }
    }

    /** A dialled login proved {@code k}: served on the parked endpoint if it is the key that asked. */
    private void admitDialled(Session s, RelayPolicy.Key k, String keyB64) {
        DialIn d = s.dialIn;
        if (!d.key.equals(k)) {
            authRefused.incrementAndGet();
            refuse(s, CloseFrame.POLICY_VALIDATION, "not the key that asked for this dial-in");
            return;
        }
        // the answer's bound before d's lock (see withinAnswerBound: refusing under it could deadlock with the
        // connection's writer ending); under the lock auth_ok is sent without closing: at most one frame beyond it
        if (!withinAnswerBound(s)) {
            return; // closed for not reading: ended like a lost dialled connection (parked, redialled later)
        }
        synchronized (d) {
            if (d.forgotten || d.dialled != s) {
                return;
            }
            synchronized (s) {
                if (s.state != State.AWAITING_AUTH) {
                    return;
                }
                s.key = k;
                s.publicKeyBase64 = keyB64;
                s.udp = d.udp;
                s.endpoint = d.endpoint;
                s.worker = d.worker;
                s.nodeId = d.nodeId;
                s.lastPong = now();
                s.state = State.READY;
            }
            d.policy.connected(now());
            if (!sendText(s, authOk(s, endpointText(s)))) {
                return; // closed meanwhile: ended like a lost dialled connection (parked, redialled later)
            }
            sendHeld(s, drainHeld(d)); // in order, before anything newer (deliveries take the same lock)
        }
        hostile("dialled into Worker {}: endpoint {}", keyB64, endpointText(s));
    }

    /** Takes everything held for {@code d} (its lock held or {@code d} forgotten), keeping the total in step. */
    private List<byte[]> drainHeld(DialIn d) {
        int bytes = d.policy.queuedBytes();
        List<byte[]> held = d.policy.drain();
        parkedBytes.addAndGet(-bytes);
        return held;
    }

    /** Bytes held for parked endpoints, all together (bounded by {@link RelayLimits#maxTotalQueuedBytes}). */
    public long parkedBytes() {
        return parkedBytes.get();
    }

    /** A Worker's UDP socket: on {@code host}, any port, non-blocking, its receive buffer sized for a burst. */
    static DatagramChannel openWorkerSocket(InetAddress host) throws IOException {
        DatagramChannel udp = DatagramChannel.open();
        try {
            udp.setOption(java.net.StandardSocketOptions.SO_RCVBUF, WORKER_UDP_RECEIVE_BUFFER_BYTES);
            udp.bind(new InetSocketAddress(host, 0));
            udp.configureBlocking(false);
            return udp;
        } catch (IOException | RuntimeException e) {
            udp.close();
            throw e;
        }
    }

    /** Why a Worker's UDP socket ({@link #openWorkerSocket}) cannot be opened on {@code host}, or null when it can. */
    public static String udpHostProblem(InetAddress host) {
        try (DatagramChannel probe = openWorkerSocket(host)) {
            return null;
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    /**
     * What the kernel granted a Worker socket for {@link #WORKER_UDP_RECEIVE_BUFFER_BYTES}, as the operator is to read
     * it, when that is less than asked (it caps the request at net.core.rmem_max without an error); null when it is not.
     */
    static String workerReceiveBufferShortfall(InetAddress host) {
        try (DatagramChannel probe = openWorkerSocket(host)) {
            int rcv = acceptedReceiveBuffer(probe);
            return rcv < WORKER_UDP_RECEIVE_BUFFER_BYTES
                    ? "Worker UDP sockets: receive buffer " + (rcv >> 10) + " KiB of " + (WORKER_UDP_RECEIVE_BUFFER_BYTES >> 10)
                            + " KiB asked (raise net.core.rmem_max); a host's burst to a Worker may be dropped and retransmitted"
                    : null;
        } catch (IOException e) {
            return "Worker UDP sockets: receive buffer unknown: " + e.getMessage();
        }
    }

    /**
     * The receive buffer the kernel accepted for {@code udp}. Linux's getsockopt reads twice that (its bookkeeping);
     * the JDK halves it back on Linux, so this is the request as granted (1024 KiB for 1 MiB under a 4 MiB rmem_max).
     */
    static int acceptedReceiveBuffer(DatagramChannel udp) throws IOException {
        return udp.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
    }

    /** Frames held for a parked endpoint, onto the connection that now serves it (in batches if it asked for them). */
    private void sendHeld(Session s, List<byte[]> held) {
        if (held.isEmpty()) {
            return;
        }
        Batch batch = s.batching ? new Batch(s, s.ws::send) : null;
        for (byte[] m : held) {
            if (batch != null) {
                batch.add(m);
            } else {
                s.ws.send(m);
            }
            framesIn.incrementAndGet();
            counters.forwarded(RelayCounters.Direction.IN, m.length - RelayProtocol.headerLength(m));
        }
        if (batch != null) {
            batch.flush();
        }
    }

    /** A connection of a dial-in ended: the outbound one leaves; the dialled one parks the endpoint (or forgets). */
    private void connectionEnded(DialIn d, Session s) {
        boolean forgetIt = false;
        Session out;
        synchronized (d) {
            if (d.forgotten) {
                return;
            }
            if (d.outbound == s) {
                d.outbound = null;
            }
            if (d.dialled == s) {
                d.dialled = null;
                dialsLost.incrementAndGet();
                forgetIt = !d.policy.lost(now());
            }
            out = d.outbound;
        }
        if (forgetIt) {
            forget(d, "the first dial failed", false); // first: a dial_in answering the error meets the hold-off
            if (out != null && out.ws.isOpen()) {
                out.ws.send(Json.write(Map.of("type", "dial_in_error", "error", "could not dial in at " + d.uri)));
            }
        } else if (s.dialled) {
            hostile("dial-in connection of Worker {} ended: endpoint {} parked", d.keyBase64, d.endpoint);
        }
    }

    /**
     * Forgets a dial-in: its dialled connection closes; the UDP socket goes back to a still-open outbound login,
     * or to the caller ({@code take}: a newer login of the key takes the endpoint over), or is closed.
     */
    private DatagramChannel forget(DialIn d, String why, boolean take) {
        Session out;
        Session dialled;
        boolean neverDialledIn;
        synchronized (d) {
            if (d.forgotten) {
                return null;
            }
            d.forgotten = true;
            neverDialledIn = d.policy.phase() == DialInPolicy.Phase.FIRST_DIAL;
            out = d.outbound;
            dialled = d.dialled;
            d.outbound = null;
            d.dialled = null;
            if (!take) {
                parkedDropped.addAndGet(drainHeld(d).size());
            }
        }
        if (neverDialledIn && !take) {
            holdOff(d.key); // failed or cancelled before its first dialled login (before the slot frees: no race)
        }
        dialIns.remove(d.key, d);
        if (dialled != null) {
            dialled.ws.close(CloseFrame.NORMAL, why);
            end(dialled);
        }
        if (take) {
            return d.udp;
        }
        if (out != null) {
            out.dialIn = null; // the outbound login owns its endpoint again; if it just ended, it is closed here
            if (out.state != State.CLOSED) {
                watchFor(d.udp, out);
                return null;
            }
        }
        try {
            d.udp.close();
        } catch (IOException e) {
            LOG.debug("closing UDP socket: {}", e.getMessage());
        }
        return null;
    }

    /**
     * {@code key} may not ask for a dial-in again for the longest redial backoff: its last one ended (failed or
     * cancelled) before a dialled login, and each {@code dial_in} makes the relay dial, and wake, whatever Worker
     * answers at the URL. A newer login of the key taking the endpoint over does not count.
     */
    private void holdOff(RelayPolicy.Key key) {
        synchronized (dialInLock) {
            failedDialIns.remove(key);
            long now = now();
            failedDialIns.values().removeIf(until -> until <= now);
            if (failedDialIns.size() >= dialConfig.limits().maxDialIns()) {
                failedDialIns.remove(failedDialIns.keySet().iterator().next());
            }
            failedDialIns.put(key, now + dialConfig.limits().maxBackoffMillis());
        }
    }

    /** From now on datagrams at {@code udp} go to {@code owner} (a Session or a DialIn); a new socket is registered. */
    private void watchFor(DatagramChannel udp, Object owner) {
        udpTasks.add(() -> watchNow(udp, owner));
        udpSelector.wakeup();
    }

    /** {@link #watchFor}'s step, on the UDP thread. */
    private void watchNow(DatagramChannel udp, Object owner) {
        SelectionKey k = udp.keyFor(udpSelector);
        if (k != null) {
            if (k.isValid()) {
                k.attach(owner);
            }
            return;
        }
        try {
            udp.register(udpSelector, SelectionKey.OP_READ, owner);
        } catch (java.nio.channels.ClosedChannelException e) {
            // the Worker left before its socket was watched (login then close): routine, and any key can
            // do it as often as the login rate allows, so never a WARN line per occurrence
            LOG.debug("UDP socket closed before it was watched");
        } catch (IOException e) {
            LOG.warn("cannot watch UDP socket: {}", e.getMessage());
        }
    }

    /** A datagram at a dial-in's endpoint: to the connection serving it, or held while parked (and the Worker woken). */
    /**
     * A datagram for a dial-in's endpoint: to its live connection (into {@code batch} when that connection asked for
     * batches), else held while it is parked. Returns the batch for the next datagram of this pass: a new one when the
     * live connection is another than the batch's (what the old one holds is sent first, so order is kept), or null.
     */
    private Batch deliverDialIn(DialIn d, InetSocketAddress from, ByteBuffer datagram, Batch batch) {
        boolean held = false;
        synchronized (d) {
            if (d.forgotten) {
                // the endpoint changes hands (a newer login took it over, or it goes back to its outbound login) and
                // its new owner does not watch it yet: dropped (the held frames went ahead), but counted
                dropped.incrementAndGet();
                counters.dropped(RelayCounters.Direction.IN, RelayCounters.DropReason.HANDOVER);
                return batch;
            }
            Session live = d.live();
            if (live != null) {
                List<byte[]> parked = drainHeld(d);
                if (batch != null && (batch.session != live || !parked.isEmpty())) {
                    batch.flush();
                    batch = null;
                }
                sendHeld(live, parked);
                if (live.batching) {
                    if (batch == null) {
                        batch = new Batch(live, live.ws::send);
                    }
                    batch.add(inbound(live, from, datagram));
                } else {
                    deliver(live, from, datagram);
                }
                return batch;
            }
            int len = datagram.remaining();
            WorkerPolicy.Verdict v = d.worker.inbound(from, kindOf(datagram.array(), datagram.position(), len), now());
            if (v != WorkerPolicy.Verdict.FORWARD) {
                dropped.incrementAndGet();
                counters.dropped(RelayCounters.Direction.IN, RelayCounters.DropReason.of(v));
                return batch;
            }
            if (parkedBytes.get() + len > limits.maxTotalQueuedBytes()) {
                dropped.incrementAndGet();
                counters.dropped(RelayCounters.Direction.IN, RelayCounters.DropReason.QUEUE_FULL);
                return batch;
            }
            int before = d.policy.queuedBytes();
            int lost = d.policy.offer(RelayProtocol.pack(from, datagram.array(), datagram.position(), len), now());
            parkedBytes.addAndGet(d.policy.queuedBytes() - before);
            for (int i = 0; i < lost; i++) {
                parkedDropped.incrementAndGet();
                dropped.incrementAndGet();
                counters.dropped(RelayCounters.Direction.IN, RelayCounters.DropReason.PARKED_QUEUE_FULL);
            }
            held = true;
        }
        if (held) {
            maybeDial(d); // wake on traffic
        }
        return batch;
    }

    private void sweepDialIns(long now) {
        for (DialIn d : dialIns.values()) {
            boolean expired;
            synchronized (d) {
                expired = d.policy.expired(now);
            }
            if (expired) {
                forget(d, "parked without a dial-in for " + dialConfig.limits().parkTtlMillis() + " ms", false);
            } else {
                maybeDial(d);
            }
        }
    }

    /** Pings on a logged-in dialled connection; closes it (to be redialled) when its pongs stopped. */
    private void keepAlive(Session s, long now) {
        RelayLimits.DialIn l = dialConfig.limits();
        if (now - s.lastPong > l.pongTimeoutMillis()) {
            hostile("dialled connection of Worker {} answered no ping for {} ms: redialling", s.publicKeyBase64,
                    l.pongTimeoutMillis());
            s.ws.closeConnection(CloseFrame.ABNORMAL_CLOSE, "no pong");
            end(s);
            return;
        }
        try {
            if (now - s.lastPing >= l.pingMillis()) {
                s.lastPing = now;
                s.ws.sendPing();
            }
            if (now - s.lastTextPing >= l.textPingMillis()) {
                s.lastTextPing = now;
                s.ws.send("ping");
            }
        } catch (org.java_websocket.exceptions.WebsocketNotConnectedException e) {
            LOG.debug("ping on a closed dialled connection");
        }
    }

    /** Repeats each dial-in Worker's signed registry heartbeat, so the Worker need not wake for it. */
    private void heartbeatsOnBehalf() {
        if (registry == null) {
            return;
        }
        for (DialIn d : dialIns.values()) {
            if (d.heartbeat == null) {
                continue;
            }
            try {
                registryCalls.execute(() -> {
                    try {
                        if ("heartbeat_ok".equals(registry.raw(d.heartbeat).get("type"))) {
                            heartbeatsOnBehalf.incrementAndGet();
                        }
                    } catch (IOException e) {
                        registryFailed(e); // dial-in Workers' registrations lapse while it lasts
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("registry busy: heartbeat on behalf of {} skipped", d.keyBase64);
            }
        }
    }

    // ------------------------------------------------------------------ housekeeping

    private void sweep() {
        try {
            long now = now();
            handshakesTimedOut.addAndGet(channels.closeStalled());
            for (Session s : sessions.values()) {
                State st = s.state;
                if ((st == State.AWAITING_CHALLENGE || st == State.AWAITING_AUTH || st == State.PROVISIONAL)
                        && now - s.openedAt > limits.authTimeoutMillis()) {
                    refuse(s, CloseFrame.POLICY_VALIDATION, st != State.PROVISIONAL
                            ? "no login within " + limits.authTimeoutMillis() + " ms"
                            : "no registration within " + limits.authTimeoutMillis() + " ms");
                } else if (st == State.READY && s.dialled) {
                    keepAlive(s, now); // never closed for idleness: only when its pongs stop
                } else if (st == State.READY && s.worker.idle(now)) {
                    s.ws.close(CloseFrame.GOING_AWAY, "idle: no Pilot traffic");
                    end(s);
                }
            }
            sweepDialIns(now);
        } catch (RuntimeException e) {
            LOG.warn("relay sweep: {}", e.toString());
        }
    }

    /** Frames queued that nobody would write go out now (a lost answer otherwise: {@link StalledWrites}). */
    private void rearmStalledWrites() {
        try {
            int n = StalledWrites.rearm(this);
            if (n > 0) {
                writesRearmed.addAndGet(n);
                LOG.debug("re-armed the writes of {} connection(s) Java-WebSocket had stalled", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("relay write re-arm: {}", e.toString()); // caught: an exception would cancel the schedule
        }
    }

    /**
     * auth_ok: the endpoint, the segment size, and {@code "batch":true} to a Worker that asked for batches: this
     * relay takes batches from it too (an older relay says nothing, and the Worker sends single messages).
     */
    private String authOk(Session s, String endpoint) {
        return Json.write(s.batching
                ? Map.of("type", "auth_ok", "endpoint", endpoint, "stream_mss", workerStreamMss, "batch", true)
                : Map.of("type", "auth_ok", "endpoint", endpoint, "stream_mss", workerStreamMss));
    }

    private void refuse(Session s, int code, String why) {
        hostile("closing relay connection from {}: {}", s.ws.getRemoteSocketAddress(), why);
        s.ws.close(code, why.length() > 120 ? why.substring(0, 120) : why);
        end(s);
    }

    private void drop(Session s, RelayCounters.Direction direction, RelayCounters.DropReason reason, String why) {
        dropped.incrementAndGet();
        counters.dropped(direction, reason);
        if (LOG.isDebugEnabled()) {
            hostile("relay dropped a datagram for Worker {}: {}", s.publicKeyBase64, why);
        }
    }

    /** Logs at INFO what a stranger can cause, within {@link #LOG_LINES_PER_MINUTE}. */
    private void hostile(String format, Object a, Object b) {
        hostileLog.info(LOG, now(), format, a, b);
    }

    private void end(Session s) {
        DatagramChannel udp;
        RelayPolicy.Key key;
        synchronized (s) {
            if (s.state == State.CLOSED) {
                return;
            }
            s.state = State.CLOSED;
            udp = s.udp;
            s.udp = null;
            key = s.key;
        }
        sessions.remove(s.id, s);
        if (key != null) {
            policy.loggedOut(s.id, key);
        }
        totalQueued.addAndGet(-s.queued.getAndSet(0));
        DialIn d = s.dialIn;
        if (d != null) {
            udp = null; // the dial-in holds the socket (forget closes it or hands it back)
            connectionEnded(d, s);
        }
        if (udp != null) {
            try {
                udp.close();
            } catch (IOException e) {
                LOG.debug("closing UDP socket: {}", e.getMessage());
            }
        }
    }

    /** Stops the relay: closes every connection and socket. */
    public void shutdown() throws InterruptedException {
        stopping = true;
        timers.shutdownNow();
        registryCalls.shutdownNow();
        stop(1000);
        for (DialIn d : dialIns.values()) {
            forget(d, "relay stopping", false);
        }
        for (Session s : sessions.values()) {
            if (s.dialled) {
                s.ws.close(CloseFrame.GOING_AWAY, "relay stopping");
            }
            end(s);
        }
        udpSelector.wakeup();
        udpThread.join(2000);
        try {
            udpSelector.close();
        } catch (IOException e) {
            LOG.debug("{}", e.getMessage());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
