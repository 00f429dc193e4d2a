package pilot.host.relay;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.json.Json;
import pilot.core.wire.Hex;

/**
 * Plays a Worker's Durable Object for the dial-in tests: a WebSocket server on loopback that accepts the
 * relay's dial (subprotocol pilot-relay-in.v1), sends relay_challenge, checks relay_proof against the relay
 * key it pins (signature bytes over the text the protocol names, built here on its own), answers the login
 * with the Worker's key and collects what arrives. It answers the text {@code ping} with {@code pong} as the
 * runtime's auto-response would, unless {@link #deaf}.
 */
final class DialInWorker extends WebSocketServer {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    final SigningKey key;
    final String keyB64;
    /** The relay key this Worker trusts (RELAY_PUBLIC_KEY); null: none yet. */
    volatile byte[] relayKey;
    /** Upgrades refused while false (the object is gone). */
    volatile boolean accepting = true;
    /** Accepts the upgrade but never sends relay_challenge while true. */
    volatile boolean mute;
    /** Neither protocol pongs nor text pongs while true. */
    volatile boolean deaf;
    /** Asks for batches in its auth_reply ({@code "batch":true}), as the Worker does on its dial-in socket. */
    volatile boolean batch;
    final AtomicInteger upgrades = new AtomicInteger();
    final AtomicInteger pings = new AtomicInteger();
    final AtomicInteger textPings = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final BlockingQueue<String> paths = new LinkedBlockingQueue<>();
    final BlockingQueue<String> subprotocols = new LinkedBlockingQueue<>();
    /** auth_ok endpoints, one per dialled login. */
    final BlockingQueue<String> logins = new LinkedBlockingQueue<>();
    /** The stream_mss of each auth_ok (-1 when it had none). */
    final BlockingQueue<Long> streamMss = new LinkedBlockingQueue<>();
    /** Proofs seen: true when the signature verified over the exact text. */
    final BlockingQueue<Boolean> proofs = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    final BlockingQueue<Map<String, Object>> texts = new LinkedBlockingQueue<>();
    volatile WebSocket current;
    volatile CompletableFuture<Integer> currentClosed = new CompletableFuture<>();
    private volatile String nonce;
    private final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    /** Java-WebSocket's server loses writes as the relay's does: the same re-arm (see {@link StalledWrites}). */
    private final java.util.concurrent.ScheduledExecutorService rearm =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dial-in-worker-rearm");
                t.setDaemon(true);
                return t;
            });

    DialInWorker(SigningKey key) {
        super(new InetSocketAddress("127.0.0.1", 0),
                List.<Draft>of(new Draft_6455(List.of(), List.<IProtocol>of(new Protocol(RelayProtocol.DIAL_SUBPROTOCOL)))));
        this.key = key;
        this.keyB64 = Base64.getEncoder().encodeToString(key.publicKey());
        setReuseAddr(true);
    }

    /** Whether the server listens (its port is known) within {@code millis}. */
    boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    String url(String path) {
        return "http://127.0.0.1:" + getPort() + path;
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft, ClientHandshake request)
            throws InvalidDataException {
        if (!accepting) {
            throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "evicted");
        }
        subprotocols.add(String.valueOf(request.getFieldValue("Sec-WebSocket-Protocol")));
        return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        upgrades.incrementAndGet();
        paths.add(handshake.getResourceDescriptor());
        current = conn;
        currentClosed = new CompletableFuture<>();
        nonce = Hex.encode(new SeededEntropy(upgrades.get()).bytes(16));
        if (mute) {
            return;
        }
        conn.send(Json.write(Map.of("type", "relay_challenge", "nonce", nonce)));
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        if ("ping".equals(message)) {
            textPings.incrementAndGet();
            if (!deaf) {
                conn.send("pong");
            }
            return;
        }
        Map<String, Object> m = Json.parseObject(message).value();
        switch (String.valueOf(m.get("type"))) {
            case "relay_proof" -> {
                byte[] text = ("pilot_relay_dial:" + nonce + ":" + keyB64).getBytes(StandardCharsets.US_ASCII);
                byte[] claimed = Base64.getDecoder().decode((String) m.get("relay_key"));
                boolean ok = relayKey != null && java.util.Arrays.equals(relayKey, claimed)
                        && suite.ed25519Verify(relayKey, text, Base64.getDecoder().decode((String) m.get("sig")));
                proofs.add(ok);
                if (!ok) {
                    conn.close(CloseFrame.POLICY_VALIDATION, "relay proof");
                }
            }
            case "auth_challenge" -> {
                String n = (String) m.get("nonce");
                byte[] sig = key.sign(RelayProtocol.challengeBytes(n, keyB64));
                String sigB64 = Base64.getEncoder().encodeToString(sig);
                conn.send(Json.write(batch
                        ? Map.of("type", "auth_reply", "public_key", keyB64, "sig", sigB64, "batch", true)
                        : Map.of("type", "auth_reply", "public_key", keyB64, "sig", sigB64)));
            }
            case "auth_ok" -> {
                streamMss.add(m.get("stream_mss") instanceof Long n ? n : -1L);
                logins.add((String) m.get("endpoint"));
            }
            default -> texts.add(m);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        byte[] b = new byte[message.remaining()];
        message.get(b);
        frames.add(b);
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata f) {
        pings.incrementAndGet();
        if (!deaf) {
            super.onWebsocketPing(conn, f);
        }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        closes.incrementAndGet();
        if (conn == current) {
            currentClosed.complete(code);
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
    }

    @Override
    public void onStart() {
        rearm.scheduleAtFixedRate(() -> StalledWrites.rearm(this), RelayServer.WRITE_REARM_MILLIS,
                RelayServer.WRITE_REARM_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        started.countDown();
    }

    @Override
    public void stop(int timeout) throws InterruptedException {
        rearm.shutdownNow();
        super.stop(timeout);
    }
}
