package pilot.host.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pilot.core.Result;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.handshake.RateLimiter;
import pilot.core.json.Json;
import pilot.core.wire.Hex;
import pilot.host.registry.RegistryClient;

/**
 * The WebSocket ⇄ UDP relay that makes Cloudflare Workers Pilot peers (protocol: {@link RelayProtocol}).
 * Each authenticated Worker gets a UDP socket of its own; frames it sends leave from that socket and
 * datagrams arriving there go back on its WebSocket, so unmodified daemons talk to the Worker directly
 * at that endpoint. It never holds a Worker's key: registry requests arrive signed by the Worker.
 *
 * <p>Not an open proxy: only authenticated Workers are served; they may send only Pilot tunnel frames,
 * only to endpoints their own registry answers or inbound traffic named, at a bounded rate; queues and
 * connections are bounded (see {@link RelayLimits}). Stateless beyond its connections, so many copies
 * can run: a Worker that reconnects (here or to another relay) re-registers its new endpoint under the
 * same key and keeps its Pilot address.
 */
public final class RelayServer extends WebSocketServer {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final CryptoSuite suite;
    private final Entropy entropy;
    private final RegistryClient registry;
    private final InetAddress udpHost;
    private final RelayLimits limits;
    private final Selector udpSelector;
    private final ConcurrentLinkedQueue<Runnable> udpTasks = new ConcurrentLinkedQueue<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong totalQueued = new AtomicLong();
    private final ExecutorService registryCalls = new ThreadPoolExecutor(2, 8, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(1024), r -> daemon(r, "relay-registry"), new ThreadPoolExecutor.DiscardPolicy());
    private final ScheduledExecutorService timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "relay-timers"));
    private final Thread udpThread;
    private volatile boolean stopping;
    /** Counters for logs, tests and benchmarks. */
    public final AtomicLong authRefused = new AtomicLong();
    public final AtomicLong framesOut = new AtomicLong();
    public final AtomicLong framesIn = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();

    enum State { AWAITING_AUTH, READY, CLOSED }

    /** One WebSocket connection. Fields touched from several threads are guarded by the session. */
    final class Session {
        final WebSocket ws;
        final long openedAt = System.currentTimeMillis();
        final String nonce;
        volatile State state = State.AWAITING_AUTH;
        volatile long lastSeen = System.currentTimeMillis();
        byte[] publicKey;
        String publicKeyBase64;
        volatile int nodeId;
        DatagramChannel udp;
        InetSocketAddress endpoint;
        final Set<InetSocketAddress> destinations = Collections.synchronizedSet(new LinkedHashSet<>());
        final RateLimiter rate;
        final AtomicLong queued = new AtomicLong();

        Session(WebSocket ws) {
            this.ws = ws;
            this.nonce = Hex.encode(entropy.bytes(32));
            this.rate = new RateLimiter(limits.packetsPerSecond(), 1, 60_000);
        }

        void allow(InetSocketAddress dest) {
            synchronized (destinations) {
                if (destinations.size() >= limits.maxDestinations()) {
                    var it = destinations.iterator();
                    it.next();
                    it.remove();
                }
                destinations.add(dest);
            }
        }
    }

    public RelayServer(InetSocketAddress bind, InetAddress udpHost, RegistryClient registry, CryptoSuite suite,
                       Entropy entropy, RelayLimits limits) throws IOException {
        super(bind, List.of(new Draft_6455(Collections.emptyList(),
                List.<IProtocol>of(new Protocol(RelayProtocol.SUBPROTOCOL), new Protocol("")))));
        this.suite = suite;
        this.entropy = entropy;
        this.registry = registry;
        this.udpHost = udpHost;
        this.limits = limits;
        this.udpSelector = Selector.open();
        setReuseAddr(true);
        setTcpNoDelay(true); // one small frame per datagram: TCP Nagle plus delayed ACK would add up to 40 ms each way
        setConnectionLostTimeout(30); // WebSocket pings every 30 s; a dead peer is closed (spec J timers)
        this.udpThread = daemon(this::udpLoop, "relay-udp");
        udpThread.start();
        timers.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    public int sessionCount() {
        return sessions.size();
    }

    public long queuedBytes() {
        return totalQueued.get();
    }

    // ------------------------------------------------------------------ WebSocket side

    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);

    /** Waits until the server accepts connections; false on timeout. */
    public boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onStart() {
        started.countDown();
        LOG.info("relay listening on ws://{}{} (UDP endpoints on {})", getAddress(), RelayProtocol.PATH, udpHost.getHostAddress());
    }

    @Override
    public void onOpen(WebSocket ws, ClientHandshake handshake) {
        if (sessions.size() >= limits.maxConnections()) {
            LOG.warn("relay full ({} connections): refusing {}", sessions.size(), ws.getRemoteSocketAddress());
            ws.close(1013, "relay full, try again later");
            return;
        }
        if (!RelayProtocol.PATH.equals(handshake.getResourceDescriptor())) {
            ws.close(1008, "unknown path; use " + RelayProtocol.PATH);
            return;
        }
        Session s = new Session(ws);
        ws.setAttachment(s);
        sessions.add(s);
        ws.send(Json.write(Map.of("type", "auth_challenge", "nonce", s.nonce)));
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
        Session s = ws.getAttachment();
        if (s == null) {
            return;
        }
        s.lastSeen = System.currentTimeMillis();
        Result<Map<String, Object>> m = Json.parseObject(text);
        if (!m.isOk()) {
            refuse(s, "malformed message: " + m.detail());
            return;
        }
        Object type = m.value().get("type");
        if (s.state == State.AWAITING_AUTH) {
            if ("auth_reply".equals(type)) {
                login(s, m.value());
            } else {
                refuse(s, "log in first (auth_reply)");
            }
        } else if ("registry".equals(type)) {
            forwardRegistry(s, m.value());
        }
        // other text after login is reserved and ignored (as in spec J)
    }

    @Override
    public void onMessage(WebSocket ws, ByteBuffer message) {
        Session s = ws.getAttachment();
        if (s == null) {
            return;
        }
        if (s.state != State.READY) {
            refuse(s, "binary message before login");
            return;
        }
        s.lastSeen = System.currentTimeMillis();
        byte[] msg = new byte[message.remaining()];
        message.get(msg);
        sendUdp(s, msg);
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
        try {
            String keyB64 = (String) m.get("public_key");
            byte[] key = Base64.getDecoder().decode(keyB64);
            byte[] sig = Base64.getDecoder().decode((String) m.get("sig"));
            if (key.length != 32 || !suite.ed25519Verify(key, RelayProtocol.challengeBytes(s.nonce, keyB64), sig)) {
                authRefused.incrementAndGet();
                refuse(s, "authentication failed");
                return;
            }
            DatagramChannel udp = DatagramChannel.open();
            udp.bind(new InetSocketAddress(udpHost, 0));
            udp.configureBlocking(false);
            synchronized (s) {
                s.publicKey = key;
                s.publicKeyBase64 = keyB64;
                s.udp = udp;
                s.endpoint = (InetSocketAddress) udp.getLocalAddress();
                s.state = State.READY;
            }
            udpTasks.add(() -> {
                try {
                    udp.register(udpSelector, SelectionKey.OP_READ, s);
                } catch (IOException e) {
                    LOG.warn("cannot watch UDP socket: {}", e.getMessage());
                }
            });
            udpSelector.wakeup();
            String endpoint = s.endpoint.getAddress().getHostAddress() + ":" + s.endpoint.getPort();
            s.ws.send(Json.write(Map.of("type", "auth_ok", "endpoint", endpoint)));
            LOG.info("Worker {} logged in, UDP endpoint {}", keyB64, endpoint);
        } catch (ClassCastException | IllegalArgumentException | NullPointerException | IOException e) {
            authRefused.incrementAndGet();
            refuse(s, "authentication failed: " + e.getMessage());
        }
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
        String endpoint = s.endpoint.getAddress().getHostAddress() + ":" + s.endpoint.getPort();
        switch (type) {
            case "register" -> {
                if (!s.publicKeyBase64.equals(req.get("public_key"))) {
                    reply(s, id, Map.of("type", "error", "error", "register only the key you logged in with"));
                    return;
                }
                req.put("listen_addr", endpoint); // the Worker's address is the relay endpoint, nothing else
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
        registryCalls.execute(() -> {
            Map<String, Object> answer;
            try {
                answer = registry.raw(req);
            } catch (IOException e) {
                answer = Map.of("type", "error", "error", e.getMessage());
            }
            learn(s, answer);
            reply(s, id, answer);
        });
    }

    /** Registry answers name the endpoints a Worker may send to, and its own node id. */
    private void learn(Session s, Map<String, Object> answer) {
        Object type = answer.get("type");
        if ("register_ok".equals(type) && answer.get("node_id") instanceof Long n) {
            s.nodeId = (int) (long) n;
        }
        if (answer.get("real_addr") instanceof String addr) {
            int colon = addr.lastIndexOf(':');
            try {
                s.allow(new InetSocketAddress(InetAddress.getByName(addr.substring(0, colon)), Integer.parseInt(addr.substring(colon + 1))));
            } catch (IOException | RuntimeException e) {
                LOG.debug("registry named an odd endpoint {}: {}", addr, e.getMessage());
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

    private void sendUdp(Session s, byte[] msg) {
        int h = RelayProtocol.headerLength(msg);
        if (h < 0 || msg.length > RelayProtocol.MAX_BINARY) {
            refuse(s, "malformed binary message");
            return;
        }
        InetSocketAddress to;
        try {
            to = new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(msg, 1, 1 + msg[0])),
                    ((msg[1 + msg[0]] & 0xFF) << 8) | (msg[2 + msg[0]] & 0xFF));
        } catch (IOException e) {
            drop(s, "bad address");
            return;
        }
        int frameLen = msg.length - h;
        boolean pilotFrame = frameLen >= 4 && msg[h] == 'P' && msg[h + 1] == 'I' && msg[h + 2] == 'L'
                && "TSAKP".indexOf(msg[h + 3]) >= 0;
        if (!pilotFrame) {
            drop(s, "not a Pilot tunnel frame");
            return;
        }
        if (!s.destinations.contains(to)) {
            drop(s, "destination " + to + " was not resolved through the registry");
            return;
        }
        if (!s.rate.allow("", System.currentTimeMillis())) {
            drop(s, "rate limit");
            return;
        }
        try {
            if (s.udp.send(ByteBuffer.wrap(msg, h, frameLen), to) == 0) {
                drop(s, "UDP send buffer full");
            } else {
                framesOut.incrementAndGet();
            }
        } catch (IOException e) {
            drop(s, "UDP send failed: " + e.getMessage());
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

    /** A datagram for a Worker: onto its WebSocket, unless its queue (or all queues) are full. */
    private void deliver(Session s, InetSocketAddress from, ByteBuffer datagram) {
        if (s.state != State.READY || !s.ws.isOpen()) {
            return;
        }
        if (!s.ws.hasBufferedData()) {
            totalQueued.addAndGet(-s.queued.getAndSet(0)); // everything before was flushed
        }
        int len = datagram.remaining();
        if (s.queued.get() + len > limits.maxQueuedBytes() || totalQueued.get() + len > limits.maxTotalQueuedBytes()) {
            drop(s, "Worker's queue full (backpressure)");
            return;
        }
        byte[] frame = new byte[len];
        datagram.get(frame);
        s.allow(from); // replies may go back to whoever reached this Worker
        s.queued.addAndGet(len);
        totalQueued.addAndGet(len);
        s.ws.send(RelayProtocol.pack(from, frame, 0, len));
        framesIn.incrementAndGet();
    }

    // ------------------------------------------------------------------ housekeeping

    private void sweep() {
        long now = System.currentTimeMillis();
        for (Session s : sessions) {
            if (s.state == State.AWAITING_AUTH && now - s.openedAt > limits.authTimeoutMillis()) {
                refuse(s, "no login within " + limits.authTimeoutMillis() + " ms");
            } else if (s.state == State.READY && now - s.lastSeen > limits.idleTimeoutMillis()) {
                s.ws.close(1001, "idle");
                end(s);
            }
        }
    }

    private void refuse(Session s, String why) {
        LOG.info("closing relay connection from {}: {}", s.ws.getRemoteSocketAddress(), why);
        s.ws.close(1008, why.length() > 120 ? why.substring(0, 120) : why);
        end(s);
    }

    private void drop(Session s, String why) {
        dropped.incrementAndGet();
        LOG.debug("relay dropped a datagram for Worker {}: {}", s.publicKeyBase64, why);
    }

    private void end(Session s) {
        if (!sessions.remove(s)) {
            return;
        }
        s.state = State.CLOSED;
        totalQueued.addAndGet(-s.queued.getAndSet(0));
        DatagramChannel udp;
        synchronized (s) {
            udp = s.udp;
            s.udp = null;
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
        for (Session s : sessions) {
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

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
