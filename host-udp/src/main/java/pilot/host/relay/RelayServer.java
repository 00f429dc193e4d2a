package pilot.host.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
    /** Log lines a minute about things strangers can cause (refusals, drops). */
    public static final int LOG_LINES_PER_MINUTE = 60;

    private final CryptoSuite suite;
    private final Entropy entropy;
    private final RegistryClient registry;
    private final InetAddress udpHost;
    private final RelayLimits limits;
    private final RelayPolicy policy;
    private final RelayChannelFactory channels;
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
    /** The same events by direction, reason and outcome, for the metrics endpoint. */
    private final RelayCounters counters = new RelayCounters();

    enum State { AWAITING_AUTH, PROVISIONAL, READY, CLOSED }

    /** One WebSocket connection. Fields touched from several threads are volatile or guarded by the session. */
    final class Session {
        final long id = nextId.getAndIncrement();
        final WebSocket ws;
        final String ip;
        final long openedAt = now();
        final String nonce;
        volatile State state = State.AWAITING_AUTH;
        volatile RelayPolicy.Key key;
        String publicKeyBase64;
        volatile int nodeId;
        volatile WorkerPolicy worker;
        DatagramChannel udp;
        InetSocketAddress endpoint;
        final AtomicLong queued = new AtomicLong();
        final AtomicInteger registryInFlight = new AtomicInteger();
        /** One auth_reply per connection: a second one, or any other text before login, closes it. */
        final java.util.concurrent.atomic.AtomicBoolean loginStarted = new java.util.concurrent.atomic.AtomicBoolean();

        Session(WebSocket ws) {
            this.ws = ws;
            InetSocketAddress remote = ws.getRemoteSocketAddress();
            this.ip = remote == null ? "?" : remote.getAddress().getHostAddress();
            this.nonce = Hex.encode(entropy.bytes(32));
        }
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
        super(bind, List.of(new BoundedDraft(
                List.<IProtocol>of(new Protocol(RelayProtocol.SUBPROTOCOL), new Protocol("")), RelayProtocol.MAX_BINARY)));
        this.suite = suite;
        this.entropy = entropy;
        this.registry = registry;
        this.udpHost = udpHost;
        this.limits = limits;
        this.tls = tls != null;
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
        return started.getCount() == 0 && !stopping && udpThread.isAlive();
    }

    // ------------------------------------------------------------------ WebSocket side

    private final CountDownLatch started = new CountDownLatch(1);

    /** Waits until the server accepts connections; false on timeout. */
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onStart() {
        started.countDown();
        LOG.info("relay listening on {}://{}{} (UDP endpoints on {})", tls ? "wss" : "ws", getAddress(), RelayProtocol.PATH,
                udpHost.getHostAddress());
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
        ws.send(Json.write(Map.of("type", "auth_challenge", "nonce", s.nonce)));
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        Session s = ws.getAttachment();
        if (s == null || s.state == State.CLOSED) {
            return;
        }
        Result<Map<String, Object>> m = Json.parseObject(text);
        if (!m.isOk()) {
            refuse(s, CloseFrame.POLICY_VALIDATION, "malformed message: " + m.detail());
            return;
        }
        Object type = m.value().get("type");
        if (s.state == State.AWAITING_AUTH) {
            if ("auth_reply".equals(type) && s.loginStarted.compareAndSet(false, true)) {
                login(s, m.value());
            } else {
                refuse(s, CloseFrame.POLICY_VALIDATION, "log in first (auth_reply)");
            }
        } else if ("registry".equals(type)) {
            forwardRegistry(s, m.value());
        }
        // other text after login is reserved and ignored (as in spec J); it is not traffic, so it keeps nothing alive
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer message) {
        Session s = ws.getAttachment();
        if (s == null || s.state == State.CLOSED) {
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
        sendUdp(s, msg);
    }

    @Override
    public void onWebsocketPing(WebSocket ws, org.java_websocket.framing.Framedata ping) {
        if (ws instanceof WebSocketImpl impl && impl.outQueue.size() >= MAX_QUEUED_FRAMES_FOR_PONG) {
            return; // a client that does not read gets no more pongs queued
        }
        super.onWebsocketPing(ws, ping);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason, boolean remote) {
        Session s = ws.getAttachment();
        if (s != null) {
            end(s);
        }
    }

    @Override
    public void onError(WebSocket ws, Exception ex) {
        if (ws == null) {
            LOG.error("relay server error: {}", ex.toString());
        } else {
            LOG.debug("relay connection error {}: {}", ws.getRemoteSocketAddress(), ex.toString());
        }
    }

    private void login(Session s, Map<String, Object> m) {
        if (!policy.loginAttempt(s.ip, now())) {
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
        RelayPolicy.Key k = new RelayPolicy.Key(key);
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
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
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
        try {
            DatagramChannel udp = DatagramChannel.open();
            udp.bind(new InetSocketAddress(udpHost, 0));
            udp.configureBlocking(false);
            synchronized (s) {
                if (s.state != State.AWAITING_AUTH) {
                    udp.close();
                    return;
                }
                s.udp = udp;
                s.endpoint = (InetSocketAddress) udp.getLocalAddress();
                s.worker = new WorkerPolicy(limits, now());
                s.state = verdict instanceof RelayPolicy.Login.Full ? State.READY : State.PROVISIONAL;
            }
            udpTasks.add(() -> {
                try {
                    udp.register(udpSelector, SelectionKey.OP_READ, s);
                } catch (IOException e) {
                    LOG.warn("cannot watch UDP socket: {}", e.getMessage());
                }
            });
            udpSelector.wakeup();
        } catch (IOException e) {
            refuse(s, CloseFrame.TRY_AGAIN_LATER, "no UDP endpoint available");
            return;
        }
        counters.login(verdict instanceof RelayPolicy.Login.Full ? RelayCounters.LoginOutcome.FULL : RelayCounters.LoginOutcome.PROVISIONAL);
        String endpoint = endpointText(s);
        s.ws.send(Json.write(Map.of("type", "auth_ok", "endpoint", endpoint)));
        if (s.state == State.READY) {
            LOG.info("Worker {} logged in, UDP endpoint {}", keyB64, endpoint);
        } else {
            hostile("Worker {} logged in provisionally (registers next), UDP endpoint {}", keyB64, endpoint);
        }
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
                    hostile("Worker {} registered as node {}: promoted", s.publicKeyBase64, Integer.toUnsignedString(s.nodeId));
                }
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
        if (s.ws.isOpen()) {
            s.ws.send(Json.write(m));
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
                    Session s = (Session) key.attachment();
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    for (int i = 0; i < 64; i++) {
                        buf.clear();
                        InetSocketAddress from = (InetSocketAddress) ch.receive(buf);
                        if (from == null) {
                            break;
                        }
                        buf.flip();
                        deliver(s, from, buf);
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
        WorkerPolicy w = s.worker;
        if (s.state != State.READY || w == null || !s.ws.isOpen()) {
            return;
        }
        int len = datagram.remaining();
        WorkerPolicy.Verdict v = w.inbound(from, kindOf(datagram.array(), datagram.position(), len), now());
        if (v != WorkerPolicy.Verdict.FORWARD) {
            drop(s, RelayCounters.Direction.IN, RelayCounters.DropReason.of(v), "from " + from + ": " + v);
            return;
        }
        if (!s.ws.hasBufferedData()) {
            totalQueued.addAndGet(-s.queued.getAndSet(0)); // everything before was flushed
        }
        if (s.queued.get() + len > limits.maxQueuedBytes() || totalQueued.get() + len > limits.maxTotalQueuedBytes()) {
            drop(s, RelayCounters.Direction.IN, RelayCounters.DropReason.QUEUE_FULL, "Worker's queue full (backpressure)");
            return;
        }
        s.queued.addAndGet(len);
        totalQueued.addAndGet(len);
        s.ws.send(RelayProtocol.pack(from, datagram.array(), datagram.position(), len));
        framesIn.incrementAndGet();
        counters.forwarded(RelayCounters.Direction.IN, len);
    }

    // ------------------------------------------------------------------ housekeeping

    private void sweep() {
        try {
            long now = now();
            handshakesTimedOut.addAndGet(channels.closeStalled());
            for (Session s : sessions.values()) {
                State st = s.state;
                if ((st == State.AWAITING_AUTH || st == State.PROVISIONAL) && now - s.openedAt > limits.authTimeoutMillis()) {
                    refuse(s, CloseFrame.POLICY_VALIDATION, st == State.AWAITING_AUTH
                            ? "no login within " + limits.authTimeoutMillis() + " ms"
                            : "no registration within " + limits.authTimeoutMillis() + " ms");
                } else if (st == State.READY && s.worker.idle(now)) {
                    s.ws.close(CloseFrame.GOING_AWAY, "idle: no Pilot traffic");
                    end(s);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("relay sweep: {}", e.toString());
        }
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
        for (Session s : sessions.values()) {
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
