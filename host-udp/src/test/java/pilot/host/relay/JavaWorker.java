package pilot.host.relay;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.json.Json;
import pilot.core.node.NodeConfig;
import pilot.core.node.NodeEvent;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;

/**
 * What a Cloudflare Worker does, in Java, for the relay tests and the relay benchmark: log in over
 * WebSocket, register through the relay with its own signatures, and drive a {@link PilotNode} whose only
 * transport is the relay. All node calls happen on the calling test thread via {@link #pump}.
 */
public final class JavaWorker implements AutoCloseable {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    final SigningKey key;
    final String keyB64;
    final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private volatile Exception lastError;
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final WebSocketClient ws;
    String endpoint;
    /** auth_ok's {@code stream_mss} (0 if absent): the node sends segments of this size, as a Worker's does. */
    int streamMss;
    /** Ask for batches in auth_reply (as the TypeScript Worker does); set before {@link #login}. */
    boolean batch;
    /** Batches received (binary messages that began with {@link RelayProtocol#BATCH}) and the messages in them. */
    /** The relay's auth_ok said it takes batches from us (we asked): one pass's transmits go as batches. */
    boolean batchOut;
    /** WebSocket messages we sent while batchOut (batches, and messages alone). */
    int batchesSent;
    int batchesReceived;
    int batchedMessages;
    /** The largest Pilot frame this Worker sent (bytes of the frame, without the relay's address header). */
    int largestFrameSent;
    int nodeId;
    PilotNode node;
    final PinnedTrust trust = new PinnedTrust();
    final List<NodeEvent> events = new ArrayList<>();
    /** Binary messages from the relay whose frame core-logic does not decode as a Pilot frame. */
    final List<byte[]> strayFrames = java.util.Collections.synchronizedList(new ArrayList<>());
    private int nextId = 1;
    private final long t0 = System.nanoTime();

    public JavaWorker(InetSocketAddress relay, long seed) throws Exception {
        this(new URI("ws://127.0.0.1:" + relay.getPort() + RelayProtocol.PATH), seed, null);
    }

    /** Over {@code uri} (ws:// or wss://); {@code tls} says whom a wss:// client trusts. */
    public JavaWorker(URI uri, long seed, javax.net.ssl.SSLContext tls) throws Exception {
        key = suite.ed25519(new SeededEntropy(seed).bytes(32));
        keyB64 = Base64.getEncoder().encodeToString(key.publicKey());
        ws = new WebSocketClient(uri,
                new Draft_6455(java.util.Collections.emptyList(), List.<IProtocol>of(new Protocol(RelayProtocol.SUBPROTOCOL)))) {
            @Override
            public void onOpen(ServerHandshake h) {
            }

            @Override
            public void onMessage(String message) {
                inbox.add(Json.parseObject(message).value());
            }

            @Override
            public void onMessage(ByteBuffer bytes) {
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                inbox.add(b);
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
                closed.complete(code);
            }

            @Override
            public void onError(Exception ex) {
                lastError = ex; // named by nextText's timeout: a lost answer must say whether the client lost it
            }
        };
        if (tls != null) {
            ws.setSocketFactory(tls.getSocketFactory());
        }
        if (!ws.connectBlocking(5, TimeUnit.SECONDS)) {
            // a relay that refuses us accepts the opening handshake and closes at once, which is reported
            // through `closed`; connectBlocking can return before onClose has run, so wait for it
            int code;
            try {
                code = closed.get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot connect to the relay", e);
            }
            if (code == org.java_websocket.framing.CloseFrame.NEVER_CONNECTED) {
                throw new IllegalStateException("cannot connect to the relay");
            }
        }
    }

    long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    Map<String, Object> nextText() throws InterruptedException {
        return nextText(15_000); // generous: a loaded 2-core machine stalls the relay's threads for seconds
    }

    /** The next text message, or {"type":"closed"} once the connection closed; throws after {@code waitMillis} without either. */
    @SuppressWarnings("unchecked")
    Map<String, Object> nextText(long waitMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + waitMillis;
        while (true) {
            Object o = inbox.poll(20, TimeUnit.MILLISECONDS);
            if (o == null && closed.isDone()) {
                return Map.of("type", "closed", "code", (long) closed.join());
            }
            if (o == null && System.currentTimeMillis() > end) {
                throw new IllegalStateException("no message from the relay" + lastErrorText());
            }
            if (o == null) {
                continue;
            }
            if (o instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
        }
    }

    /** Logs in with our own key. */
    public Map<String, Object> login() throws InterruptedException {
        return login(key);
    }

    /** Logs in with our own public key, signed with {@code signer}'s key (a forgery unless it is ours). */
    public Map<String, Object> login(SigningKey signer) throws InterruptedException {
        return login(signer, null);
    }

    /** Logs in naming {@code claimedNode} as the node our key is registered as (null: no claim). */
    public Map<String, Object> login(SigningKey signer, Integer claimedNode) throws InterruptedException {
        authReply(signer, claimedNode);
        Map<String, Object> r = nextText();
        if ("auth_ok".equals(r.get("type"))) {
            endpoint = (String) r.get("endpoint");
            streamMss = r.get("stream_mss") instanceof Long m ? (int) (long) m : 0;
            batchOut = batch && Boolean.TRUE.equals(r.get("batch"));
        }
        return r;
    }

    /** Answers the relay's auth_challenge (the first half of {@link #login}); what comes next stays in {@link #inbox}. */
    void authReply(SigningKey signer, Integer claimedNode) throws InterruptedException {
        Map<String, Object> challenge = nextText();
        String nonce = (String) challenge.get("nonce");
        byte[] sig = signer.sign(RelayProtocol.challengeBytes(nonce, keyB64));
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("type", "auth_reply");
        reply.put("public_key", keyB64);
        reply.put("sig", Base64.getEncoder().encodeToString(sig));
        if (claimedNode != null) {
            reply.put("node_id", Integer.toUnsignedLong(claimedNode));
        }
        if (batch) {
            reply.put("batch", true);
        }
        ws.send(Json.write(reply));
    }

    Map<String, Object> registry(Map<String, Object> request) throws InterruptedException {
        sendRegistry(request);
        return replyOf(nextText());
    }

    /** A registry request through the relay; its reply, or null when none came within {@code waitMillis}. */
    Map<String, Object> registry(Map<String, Object> request, long waitMillis) throws InterruptedException {
        sendRegistry(request);
        try {
            return replyOf(nextText(waitMillis));
        } catch (IllegalStateException e) {
            return null;
        }
    }

    void sendRegistry(Map<String, Object> request) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "registry");
        m.put("id", (long) nextId++);
        m.put("request", request);
        ws.send(Json.write(m));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> replyOf(Map<String, Object> answer) {
        return (Map<String, Object>) answer.get("reply");
    }

    String sign(String challenge) {
        return Base64.getEncoder().encodeToString(key.sign(challenge.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** register + set_visibility through the relay, then a node on top of the relay transport. */
    public void join() throws InterruptedException {
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("type", "register");
        reg.put("public_key", keyB64);
        reg.put("listen_addr", "ignored:1");
        Map<String, Object> ok = registry(reg);
        nodeId = (int) (long) (Long) ok.get("node_id");
        Map<String, Object> vis = new LinkedHashMap<>();
        vis.put("type", "set_visibility");
        vis.put("node_id", Integer.toUnsignedLong(nodeId));
        vis.put("public", true);
        vis.put("signature", sign("set_visibility:" + Integer.toUnsignedString(nodeId)));
        registry(vis);
        trust.pin(nodeId, key.publicKey());
        NodeConfig cfg = streamMss > 0 ? NodeConfig.DEFAULTS.withStream(NodeConfig.DEFAULTS.stream().withMss(streamMss))
                : NodeConfig.DEFAULTS;
        node = new PilotNode(cfg, new LocalIdentity(nodeId, key), 0, suite, new SeededEntropy(nodeId), trust);
    }

    Address address() {
        return new Address(0, nodeId);
    }

    /** Moves datagrams both ways and answers PEER_NEEDED through the relay, for {@code millis}. */
    @SuppressWarnings("unchecked")
    void pump(long millis) throws InterruptedException {
        long end = now() + millis;
        while (now() < end) {
            RelayServer.Batch out = new RelayServer.Batch(batchOut ? m -> { batchesSent++; ws.send(m); } : ws::send);
            for (Transmit t = node.pollTransmit(); t != null; t = node.pollTransmit()) {
                byte[] frame = t.datagram();
                largestFrameSent = Math.max(largestFrameSent, frame.length);
                byte[] m = RelayProtocol.pack(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), t.to().port()),
                        frame, 0, frame.length);
                if (batchOut) {
                    out.add(m);
                } else {
                    ws.send(m);
                }
            }
            out.flush();
            for (NodeEvent e = node.pollEvent(); e != null; e = node.pollEvent()) {
                events.add(e);
                if (e instanceof NodeEvent.PeerNeeded x) {
                    resolve(x.peer().node());
                }
            }
            long deadline = node.nextDeadline();
            long wait = Math.max(0, Math.min(5, deadline - now()));
            Object o = inbox.poll(wait, TimeUnit.MILLISECONDS);
            if (o instanceof byte[] batched && pilot.core.edge.RelayBatch.isBatch(batched)) {
                batchesReceived++;
                pilot.core.edge.RelayBatch b = pilot.core.edge.RelayBatch.split(batched).valueOrNull();
                if (b == null) {
                    throw new IllegalStateException("a malformed batch from the relay");
                }
                for (int i = 0; i < b.count(); i++) {
                    handleMessage(b.message(batched, i));
                    batchedMessages++;
                }
            } else if (o instanceof byte[] b) {
                handleMessage(b);
            }
            if (node.nextDeadline() <= now()) {
                node.handleTimeout(now());
            }
        }
    }

    /** One relay message, {@code ipLen ‖ ip ‖ port ‖ frame}, into the node. */
    private void handleMessage(byte[] b) {
        int h = RelayProtocol.headerLength(b);
        byte[] ip = java.util.Arrays.copyOfRange(b, 1, 1 + b[0]);
        int port = ((b[1 + b[0]] & 0xFF) << 8) | (b[2 + b[0]] & 0xFF);
        var kind = pilot.core.frame.FrameCodec.decode(b, h, b.length - h);
        if (!kind.isOk() || kind.value().kind() == pilot.core.frame.FrameKind.BEACON) {
            strayFrames.add(b);
        }
        node.handleDatagram(new Endpoint(ip, port), java.util.Arrays.copyOfRange(b, h, b.length), now());
    }

    private void resolve(int peer) throws InterruptedException {
        Map<String, Object> lookup = registry(Map.of("type", "lookup", "node_id", Integer.toUnsignedLong(peer)));
        trust.pin(peer, Base64.getDecoder().decode((String) lookup.get("public_key")));
        InetSocketAddress real = realAddress(peer);
        node.addPeer(peer, Endpoint.parse(real.getHostString(), real.getPort()).value(), now());
    }

    /** The peer's UDP address, asked of the registry through the relay with our signature. */
    public InetSocketAddress realAddress(int peer) throws InterruptedException {
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("type", "resolve");
        res.put("node_id", Integer.toUnsignedLong(peer));
        res.put("requester_id", Integer.toUnsignedLong(nodeId));
        res.put("signature", sign("resolve:" + Integer.toUnsignedString(nodeId) + ":" + Integer.toUnsignedString(peer)));
        String real = (String) registry(res).get("real_addr");
        int colon = real.lastIndexOf(':');
        return new InetSocketAddress(real.substring(0, colon), Integer.parseInt(real.substring(colon + 1)));
    }

    /** Sends one relay frame as it is, bypassing the node (for the benchmark). */
    public void sendRaw(byte[] frame) {
        ws.send(frame);
    }

    <T extends NodeEvent> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Closes and waits for the relay's close frame (or the connection's end), at most 15 s: a close the relay never
     * answered fails the test that waits for it, naming the client's last error, instead of hanging it
     * ({@code closeBlocking} waits without end).
     */
    @Override
    public void close() throws InterruptedException {
        ws.close();
        try {
            closed.get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the relay did not close the connection" + lastErrorText(), e);
        }
    }

    private String lastErrorText() {
        return lastError == null ? "" : " (the client's last error: " + lastError + ")";
    }
}
