package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.edge.RelayBatch;
import pilot.core.json.Json;
import pilot.host.crypto.SecureEntropy;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

/**
 * The relay side of dial-in against a running relay on loopback: {@link DialInWorker} plays the Worker's
 * Durable Object (it accepts the relay's dial), a {@link JavaWorker} makes the outbound login that asks for
 * it, a UDP socket plays a daemon peer. Times are shortened through {@link RelayLimits.DialIn}.
 */
class DialInTest {
    static final String PREFIX_PATH = "/agents/";
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    final SigningKey relayKey = suite.ed25519(new SeededEntropy(4242).bytes(32));
    final List<AutoCloseable> open = new ArrayList<>();
    RegistryServer registry;
    RelayServer relay;
    DialInWorker object;
    JavaWorker w;

    static RelayLimits.DialIn fast() {
        // max, queue frames, queue bytes, min redial, max backoff, park TTL, heartbeat, connect, ping, pong timeout, text ping
        return new RelayLimits.DialIn(16, 64, 256 * 1024, 200, 400, 60_000, 300, 2000, 200, 1500, 300);
    }

    @BeforeEach
    void start() throws Exception {
        registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null);
    }

    void startRelay(RelayLimits limits, RelayLimits.DialIn dial) throws Exception {
        startRelay(limits, dial, registry.address());
    }

    /** The relay asks its registry at {@code registryAt} (the registry itself, or a proxy in front of it). */
    void startRelay(RelayLimits limits, RelayLimits.DialIn dial, InetSocketAddress registryAt) throws Exception {
        startRelay(limits, dial, registryAt, 2000);
    }

    /** The same, waiting up to {@code registryTimeoutMillis} for each registry answer. */
    void startRelay(RelayLimits limits, RelayLimits.DialIn dial, InetSocketAddress registryAt, int registryTimeoutMillis)
            throws Exception {
        object = new DialInWorker(suite.ed25519(new SeededEntropy(31).bytes(32)));
        object.start();
        assertTrue(object.awaitStarted(10_000), "the fake Worker listens (its port goes into the relay's allowed URL)");
        object.relayKey = relayKey.publicKey();
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registryAt, registryTimeoutMillis), suite, new SecureEntropy(), limits, Set.of(), null,
                new DialInConfig(relayKey, List.of(object.url(PREFIX_PATH)), dial));
        relay.start();
        assertTrue(relay.awaitStarted(5000));
    }

    static RelayLimits testLimits() {
        return new RelayLimits(64, 2000, 90_000, 1 << 20, 64L << 20, 5000, 1024);
    }

    void startRelay() throws Exception {
        startRelay(testLimits(), fast());
    }

    JavaWorker worker(long seed) throws Exception {
        JavaWorker j = new JavaWorker(new InetSocketAddress("127.0.0.1", relay.getPort()), seed);
        open.add(j);
        return j;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (relay != null) {
            relay.shutdown();
        }
        if (object != null) {
            object.stop(500);
        }
        registry.close();
    }

    static Map<String, Object> askDialIn(JavaWorker j, Map<String, Object> request) throws InterruptedException {
        Map<String, Object> m = new LinkedHashMap<>(request);
        m.put("type", "dial_in");
        j.ws.send(Json.write(m));
        return j.nextText();
    }

    /** Logs in and registers worker 31 (the key the test object holds) and asks to be dialled at {@code path}. */
    Map<String, Object> loginAndAsk(String path) throws Exception {
        w = worker(31);
        assertEquals("auth_ok", w.login().get("type"));
        w.join();
        return askDialIn(w, Map.of("url", object.url(path)));
    }

    /** Worker 31 logged in, asked for dial-in under the prefix and was dialled in; returns the dialled login's endpoint. */
    String dialledIn() throws Exception {
        assertEquals("dial_in_ok", loginAndAsk(PREFIX_PATH + "w31").get("type"));
        String endpoint = object.logins.poll(5, TimeUnit.SECONDS);
        assertNotNull(endpoint, "dialled in");
        return endpoint;
    }

    /** A well-formed PILS frame numbered {@code i} (core's decoder passes it; the relay cannot read it). */
    static byte[] sealed(int i) {
        byte[] f = new byte[36];
        f[0] = 'P';
        f[1] = 'I';
        f[2] = 'L';
        f[3] = 'S';
        for (int k = 4; k < f.length; k++) {
            f[k] = (byte) (i >> (8 * (k % 4)));
        }
        return f;
    }

    /** A registered peer on a UDP socket, resolved by the Worker so it is on its allow-list. */
    DatagramSocket peer() throws Exception {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        open.add(peer);
        RegistryClient rc = new RegistryClient(registry.address(), 2000);
        SigningKey pk = suite.ed25519(new SeededEntropy(77).bytes(32));
        int node = rc.register("127.0.0.1:" + peer.getLocalPort(), pk.publicKey(), null).nodeId();
        rc.setVisibility(node, true, pk::sign);
        w.realAddress(node);
        return peer;
    }

    InetSocketAddress endpoint() {
        int colon = w.endpoint.lastIndexOf(':');
        return new InetSocketAddress(w.endpoint.substring(0, colon), Integer.parseInt(w.endpoint.substring(colon + 1)));
    }

    static void send(DatagramSocket from, InetSocketAddress to, byte[] frame) throws Exception {
        from.send(new DatagramPacket(frame, frame.length, to));
    }

    static byte[] frameOf(byte[] message) {
        int h = RelayProtocol.headerLength(message);
        return java.util.Arrays.copyOfRange(message, h, message.length);
    }

    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void dialsTheAllowedUrlProvesItsKeyAndServesTheSameEndpoint() throws Exception {
        startRelay();
        Map<String, Object> ok = loginAndAsk(PREFIX_PATH + "w31/relay-in");
        assertEquals("dial_in_ok", ok.get("type"), ok.toString());
        assertEquals(Base64.getEncoder().encodeToString(relayKey.publicKey()), ok.get("relay_key"));
        assertEquals(PREFIX_PATH + "w31/relay-in", object.paths.poll(5, TimeUnit.SECONDS), "dialled exactly the URL's path");
        assertEquals(RelayProtocol.DIAL_SUBPROTOCOL, object.subprotocols.poll(1, TimeUnit.SECONDS));
        assertEquals(Boolean.TRUE, object.proofs.poll(5, TimeUnit.SECONDS), "relay_proof verifies over pilot_relay_dial:<nonce>:<key>");
        assertEquals(w.endpoint, object.logins.poll(5, TimeUnit.SECONDS), "the dialled login gets the outbound login's endpoint");
        DatagramSocket peer = peer();
        w.close(); // the Worker closes its outbound connection: the endpoint stays, served by the dialled one
        await(() -> relay.sessionCount() == 1, 3000, "outbound connection gone");
        send(peer, endpoint(), sealed(1));
        byte[] in = object.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(in, "the peer's frame reached the dialled-in Worker");
        assertArrayEquals(sealed(1), frameOf(in));
        assertArrayEquals(RelayProtocol.pack((InetSocketAddress) peer.getLocalSocketAddress(), new byte[0], 0, 0),
                java.util.Arrays.copyOf(in, RelayProtocol.headerLength(in)), "with the peer's address in front");
        // and back out of the same endpoint
        byte[] out = sealed(2);
        object.current.send(RelayProtocol.pack((InetSocketAddress) peer.getLocalSocketAddress(), out, 0, out.length));
        peer.setSoTimeout(5000);
        DatagramPacket p = new DatagramPacket(new byte[64], 64);
        peer.receive(p);
        assertArrayEquals(out, java.util.Arrays.copyOf(p.getData(), p.getLength()));
        assertEquals(endpoint().getPort(), p.getPort(), "sent from the parked endpoint");
        assertEquals(1, object.upgrades.get());
    }

    @Test
    void framesForAParkedEndpointAreHeldBoundedAndDeliveredInOrderAfterTheRedial() throws Exception {
        startRelay();
        dialledIn();
        DatagramSocket peer = peer();
        w.close();
        object.accepting = false; // evicted: the connection drops and redials are refused for now
        object.current.close(1001, "evicted");
        await(() -> relay.sessionCount() == 0, 3000, "dialled connection gone");
        assertEquals(1, relay.dialInCount(), "parked, not forgotten");
        for (int i = 0; i < 70; i++) {
            send(peer, endpoint(), sealed(i));
        }
        await(() -> relay.parkedDropped.get() == 6, 3000, "6 of 70 dropped");
        assertEquals(6, relay.counters().drops(RelayCounters.Direction.IN, RelayCounters.DropReason.PARKED_QUEUE_FULL));
        assertEquals(64 * (7 + 36), relay.parkedBytes(), "64 packed messages held, counted in the relay's total");
        await(() -> relay.dials.get() >= 3, 3000, "a redial refused while evicted (it parks again, forgets nothing)");
        assertEquals(1, relay.dialInCount());
        object.accepting = true;
        assertEquals(w.endpoint, object.logins.poll(5, TimeUnit.SECONDS), "redialled; the same endpoint");
        for (int i = 6; i < 70; i++) {
            byte[] m = object.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(m, "held frame " + i);
            assertArrayEquals(sealed(i), frameOf(m), "frame " + i + " in order");
        }
        assertNull(object.frames.poll(200, TimeUnit.MILLISECONDS), "the 6 oldest were dropped, nothing else");
        assertEquals(0, relay.parkedBytes());
        assertEquals(2, object.upgrades.get(), "refused upgrades never opened a connection");
    }

    @Test
    void aDialledLoginGetsTheStreamMssAndBatchesWhenItAsksHeldFramesAndLiveOnesInOrder() throws Exception {
        startRelay();
        object.batch = true; // "batch":true in the dialled auth_reply, read only once its signature verified
        dialledIn();
        assertEquals(RelayProtocol.LOOPBACK_STREAM_MSS, object.streamMss.poll(1, TimeUnit.SECONDS),
                "the dialled auth_ok says the segment size, as the outbound one does (UDP on loopback: 4096)");
        DatagramSocket peer = heldThenRedialled(30);
        byte[] first = object.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(first);
        assertEquals(RelayBatch.MARK, first[0], "the held frames come as one batch");
        List<byte[]> got = new ArrayList<>(messagesOf(first));
        assertEquals(30, got.size());
        for (int i = 30; i < 60; i++) {
            send(peer, endpoint(), sealed(i)); // live now: batched per pass of the relay's UDP loop, or alone
        }
        while (got.size() < 60) {
            byte[] m = object.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(m, "frame " + got.size());
            got.addAll(messagesOf(m));
        }
        for (int i = 0; i < 60; i++) {
            assertArrayEquals(sealed(i), frameOf(got.get(i)), "frame " + i + " in order");
        }
        assertNull(object.frames.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aDialledLoginThatDoesNotAskGetsSingleMessagesAndTheStreamMss() throws Exception {
        startRelay();
        dialledIn();
        assertEquals(RelayProtocol.LOOPBACK_STREAM_MSS, object.streamMss.poll(1, TimeUnit.SECONDS));
        heldThenRedialled(5);
        for (int i = 0; i < 5; i++) {
            byte[] m = object.frames.poll(5, TimeUnit.SECONDS);
            assertNotNull(m);
            assertFalse(RelayBatch.isBatch(m), "no batch unasked");
            assertArrayEquals(sealed(i), frameOf(m));
        }
    }

    /**
     * Worker 31, dialled in, closes its outbound login and its object is evicted (redials are refused): the endpoint
     * parks, and a peer on its allow-list sends frames {@code 0..n-1}, held there; returns the peer.
     */
    DatagramSocket parkedHolding(int n) throws Exception {
        DatagramSocket peer = peer();
        w.close();
        object.accepting = false;
        object.current.close(1001, "evicted");
        await(() -> relay.sessionCount() == 0, 3000, "dialled connection gone");
        for (int i = 0; i < n; i++) {
            send(peer, endpoint(), sealed(i));
        }
        await(() -> relay.parkedBytes() == n * (7 + 36), 3000, n + " frames held");
        return peer;
    }

    /** {@link #parkedHolding}, then the relay redials the object; returns the peer. */
    DatagramSocket heldThenRedialled(int n) throws Exception {
        DatagramSocket peer = parkedHolding(n);
        object.accepting = true;
        assertEquals(w.endpoint, object.logins.poll(5, TimeUnit.SECONDS), "redialled; the same endpoint");
        return peer;
    }

    /** The relay messages in one binary message: the records of a batch, or the message itself. */
    static List<byte[]> messagesOf(byte[] binary) {
        if (!RelayBatch.isBatch(binary)) {
            return List.of(binary);
        }
        RelayBatch b = RelayBatch.split(binary).value();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < b.count(); i++) {
            out.add(b.message(binary, i));
        }
        return out;
    }

    @Test
    void aUrlOutsideTheAllowedPrefixesIsRefusedAndNeverDialled() throws Exception {
        startRelay();
        w = worker(31);
        w.login();
        w.join();
        for (String url : List.of("http://127.0.0.1:" + object.getPort() + "/other/w31", "http://127.0.0.2:" + object.getPort() + PREFIX_PATH,
                "file:///etc/passwd", object.url(PREFIX_PATH) + "x".repeat(RelayLimits.MAX_DIAL_IN_URL))) {
            Map<String, Object> r = askDialIn(w, Map.of("url", url));
            assertEquals("dial_in_error", r.get("type"), url);
        }
        assertEquals("dial_in_error", askDialIn(w, Map.of()).get("type"), "no url");
        Thread.sleep(300);
        assertEquals(0, object.upgrades.get(), "never dialled");
        assertEquals(0, relay.dials.get());
        assertEquals(0, relay.dialInCount());
    }

    @Test
    void aRelayWithoutDialInPrefixesRefusesEveryDialIn() throws Exception {
        startRelay();
        RelayServer plain = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), suite, new SecureEntropy(), RelayLimits.DEFAULTS);
        plain.start();
        assertTrue(plain.awaitStarted(5000));
        try {
            JavaWorker j = new JavaWorker(new InetSocketAddress("127.0.0.1", plain.getPort()), 31);
            open.add(j);
            j.login();
            j.join();
            Map<String, Object> r = askDialIn(j, Map.of("url", object.url(PREFIX_PATH)));
            assertEquals(Map.of("type", "dial_in_error", "error", "this relay does not dial in"), r);
            assertNull(plain.relayKeyBase64());
        } finally {
            plain.shutdown();
        }
        assertEquals(0, object.upgrades.get());
    }

    @Test
    void atMostMaxDialInIdentities() throws Exception {
        startRelay(new RelayLimits(64, 2000, 90_000, 1 << 20, 64L << 20, 5000, 1024), fast().withMax(1));
        assertEquals("dial_in_ok", loginAndAsk(PREFIX_PATH + "w31").get("type"));
        JavaWorker second = worker(32);
        second.login();
        second.join();
        Map<String, Object> r = askDialIn(second, Map.of("url", object.url(PREFIX_PATH + "w32")));
        assertEquals("dial_in_error", r.get("type"));
        assertTrue(((String) r.get("error")).contains("maximum of 1"), r.toString());
        assertEquals(1, relay.dialInCount());
    }

    @Test
    void dialInBeforeLoginClosesTheConnectionAndDialsNothing() throws Exception {
        startRelay();
        JavaWorker stranger = worker(33);
        stranger.nextText(); // auth_challenge
        stranger.ws.send(Json.write(Map.of("type", "dial_in", "url", object.url(PREFIX_PATH + "x"))));
        assertEquals(1008, stranger.closed.get(5, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertEquals(0, object.upgrades.get());
        assertEquals(0, relay.dialInCount());
    }

    @Test
    void dialInCancelOnTheDialledConnectionReleasesThePort() throws Exception {
        startRelay();
        dialledIn();
        w.close();
        int port = endpoint().getPort();
        object.current.send(Json.write(Map.of("type", "dial_in_cancel")));
        // the relay closes the dialled connection: normally 1000; on a loaded machine the object's side has
        // seen the TCP end before the close frame (1006) — either way it is the relay that ended it, and what
        // this test is about follows: the dial-in is forgotten and its port freed
        int code = object.currentClosed.get(5, TimeUnit.SECONDS);
        assertTrue(code == 1000 || code == 1006, "the relay closes the dialled connection, code " + code);
        await(() -> relay.dialInCount() == 0, 3000, "dial-in forgotten");
        await(() -> {
            try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return true;
            } catch (java.net.SocketException e) {
                return false;
            }
        }, 3000, "the UDP port is free again");
        Thread.sleep(500); // longer than a redial would take
        assertEquals(1, object.upgrades.get(), "never redialled");
    }

    @Test
    void aDialledConnectionIsPingedButNeverClosedForIdlenessUnlikeTheOutboundOne() throws Exception {
        startRelay(new RelayLimits(64, 2000, 800, 1 << 20, 64L << 20, 5000, 1024), fast());
        dialledIn();
        assertEquals(1001, w.closed.get(5, TimeUnit.SECONDS), "the outbound login is closed after 0.8 s idle");
        Thread.sleep(1500);
        assertTrue(object.current.isOpen(), "the dialled connection is still open after twice the idle limit");
        assertFalse(object.currentClosed.isDone());
        assertEquals(1, object.upgrades.get());
        assertTrue(object.pings.get() >= 3, "WebSocket pings: " + object.pings.get());
        assertTrue(object.textPings.get() >= 2, "text pings: " + object.textPings.get());
        assertEquals(1, relay.dialInCount());
    }

    @Test
    void aDialledConnectionWhosePongsStopIsClosedAndRedialled() throws Exception {
        startRelay();
        dialledIn();
        object.deaf = true;
        assertNotNull(object.logins.poll(5, TimeUnit.SECONDS), "a second dialled login after 1.5 s without a pong");
        assertEquals(2, object.upgrades.get());
    }

    @Test
    void heartbeatsOnBehalfReachTheRegistryAndAForgedOneIsRefused() throws Exception {
        startRelay();
        w = worker(31);
        w.login();
        w.join();
        long node = Integer.toUnsignedLong(w.nodeId);
        Map<String, Object> forged = Map.of("node_id", node, "signature",
                Base64.getEncoder().encodeToString(suite.ed25519(new SeededEntropy(9).bytes(32)).sign(("heartbeat:" + node).getBytes())));
        assertEquals("dial_in_error", askDialIn(w, Map.of("url", object.url(PREFIX_PATH), "heartbeat", forged)).get("type"));
        Map<String, Object> hb = Map.of("node_id", node, "signature", w.sign("heartbeat:" + node));
        assertEquals("dial_in_ok", askDialIn(w, Map.of("url", object.url(PREFIX_PATH), "heartbeat", hb)).get("type"));
        assertNotNull(object.logins.poll(5, TimeUnit.SECONDS));
        w.close();
        // every 300 ms (30 s in production) the relay repeats it; heartbeat_ok counts: the registry verified it
        await(() -> relay.heartbeatsOnBehalf.get() >= 2, 3000, "two heartbeats answered heartbeat_ok");
    }

    @Test
    void aNewOutboundLoginOfTheKeyTakesTheParkedEndpointOver() throws Exception {
        startRelay(new RelayLimits(64, 2000, 800, 1 << 20, 64L << 20, 5000, 1024), fast());
        String endpoint = dialledIn();
        w.close();
        Thread.sleep(1200); // longer than the idle limit: the endpoint saw no traffic
        JavaWorker woke = worker(31);
        assertEquals("auth_ok", woke.login().get("type"));
        assertEquals(endpoint, woke.endpoint, "the same UDP endpoint");
        assertEquals(1000, object.currentClosed.get(5, TimeUnit.SECONDS), "the dialled connection is closed");
        await(() -> relay.dialInCount() == 0, 3000, "dial-in forgotten");
        Thread.sleep(400);
        assertFalse(woke.closed.isDone(), "the new login's idle time starts at its login, not at the parked endpoint's last frame");
    }

    @Test
    void aFirstDialThatDoesNotLogInForgetsTheDialInAndTheOutboundLoginKeepsItsEndpoint() throws Exception {
        startRelay();
        object.mute = true; // upgrades, then never sends relay_challenge: the dialled login times out (2 s here)
        assertEquals("dial_in_ok", loginAndAsk(PREFIX_PATH + "w31").get("type"));
        Map<String, Object> r = w.nextText();
        assertEquals("dial_in_error", r.get("type"), "reported on the outbound connection");
        assertTrue(((String) r.get("error")).startsWith("could not dial in at ws://127.0.0.1:"), r.toString());
        await(() -> relay.dialInCount() == 0, 3000, "forgotten, nothing parked");
        assertEquals(1, object.upgrades.get(), "no redial after a failed first dial");
        DatagramSocket peer = peer(); // the outbound login still owns its endpoint: frames reach it
        send(peer, endpoint(), sealed(5));
        long end = System.currentTimeMillis() + 5000;
        Object got = null;
        while (got == null && System.currentTimeMillis() < end) {
            Object o = w.inbox.poll(50, TimeUnit.MILLISECONDS);
            got = o instanceof byte[] ? o : null;
        }
        assertNotNull(got);
        assertArrayEquals(sealed(5), frameOf((byte[]) got));
    }

    @Test
    void aKeyWhoseFirstDialFailedMayNotMakeTheRelayDialAgainUntilTheMaximumBackoffPassed() throws Exception {
        startRelay(); // max backoff 400 ms here (60 s by default)
        // key 32 names the URL of another Worker's object (key 31): each dial wakes that object, which proves
        // 31, and the relay refuses it; before, key 32 could ask again at once, as often as it liked
        w = worker(32);
        assertEquals("auth_ok", w.login().get("type"));
        w.join();
        assertEquals("dial_in_ok", askDialIn(w, Map.of("url", object.url(PREFIX_PATH + "w31"))).get("type"));
        assertEquals("dial_in_error", w.nextText().get("type"), "the first dial failed: not the key that asked");
        await(() -> relay.dialInCount() == 0, 3000, "forgotten");
        for (int i = 0; i < 10; i++) {
            Map<String, Object> r = askDialIn(w, Map.of("url", object.url(PREFIX_PATH + "w31")));
            assertEquals("dial_in_error", r.get("type"), "asked again at once: " + r);
            assertTrue(((String) r.get("error")).startsWith("the last dial-in for this key failed"), r.toString());
        }
        Thread.sleep(100);
        assertEquals(1, object.upgrades.get(), "the other Worker's object was dialled once, not eleven times");
        Thread.sleep(400); // the maximum backoff passed: the key may ask again
        assertEquals("dial_in_ok", askDialIn(w, Map.of("url", object.url(PREFIX_PATH + "w31"))).get("type"));
        assertEquals("dial_in_error", w.nextText().get("type"));
        assertEquals(2, object.upgrades.get());
    }

    @Test
    void cancellingAFirstDialDoesNotLetTheKeyMakeTheRelayDialAgainAtOnce() throws Exception {
        startRelay(); // max backoff 400 ms here (60 s by default)
        w = worker(32); // names the other Worker's (key 31's) URL and cancels before that dial can fail
        assertEquals("auth_ok", w.login().get("type"));
        w.join();
        int ok = 0;
        for (int i = 0; i < 10; i++) {
            Map<String, Object> r = askDialIn(w, Map.of("url", object.url(PREFIX_PATH + "w31")));
            if ("dial_in_ok".equals(r.get("type"))) {
                ok++;
                w.ws.send(Json.write(Map.of("type", "dial_in_cancel")));
                await(() -> relay.dialInCount() == 0, 3000, "cancelled");
            }
        }
        assertEquals(1, ok, "only the first dial_in was taken");
        assertEquals(1, relay.dials.get(), "one dial, not one per dial_in/dial_in_cancel pair");
    }

    /** Worker 31's register request through the relay (its reply is the next text, or later when held). */
    static Map<String, Object> registerRequest(JavaWorker j) {
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("type", "register");
        reg.put("public_key", j.keyB64);
        reg.put("listen_addr", "ignored:1");
        return reg;
    }

    @SuppressWarnings("unchecked")
    static Object replyType(Map<String, Object> registryReply) {
        return registryReply.get("reply") instanceof Map<?, ?> r ? ((Map<String, Object>) r).get("type") : null;
    }

    /** The types of the next {@code n} text messages, in the order they came. */
    static List<Object> nextTypes(JavaWorker j, int n) throws InterruptedException {
        List<Object> types = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = j.nextText(5000);
            types.add("registry_reply".equals(m.get("type")) ? replyType(m) : m.get("type"));
        }
        return types;
    }

    @Test
    void aDialInFromAProvisionalLoginIsHeldAndAnsweredOnceTheRegistryPromotedIt() throws Exception {
        startRelay();
        w = worker(31);
        assertEquals("auth_ok", w.login().get("type"));
        assertEquals(1, relay.policy().provisionalLogins(), "a key the relay does not know yet");
        w.ws.send(Json.write(Map.of("type", "dial_in", "url", object.url(PREFIX_PATH + "w31"))));
        w.ws.send(Json.write(Map.of("type", "dial_in", "url", object.url(PREFIX_PATH + "w31"))));
        w.sendRegistry(registerRequest(w));
        // the second is refused at once (one held per connection); the first waits for register_ok
        List<Object> types = nextTypes(w, 3);
        assertEquals(List.of("dial_in_error", "dial_in_ok", "register_ok"), types);
        assertNotNull(object.logins.poll(5, TimeUnit.SECONDS), "dialled in");
    }

    /**
     * The interleaving that lost a {@code dial_in}'s answer, forced: the {@code dial_in} finds the login
     * provisional; then, before it is held, the registry's {@code register_ok} promotes the login and looks
     * for a held request (none yet); then the request is held, with nobody left to answer it. The registry's
     * answer is kept back by a proxy until the {@code dial_in} reached the seam, which lets it through and waits
     * until the Worker has the {@code register_ok} (so the promotion and the look are over). The relay waits for
     * the registry far longer than the test can stall (not the 2 s of the others). Before the fix the
     * {@code dial_in} was never answered.
     */
    @Test
    void aDialInThatFoundTheLoginProvisionalIsAnsweredWhenTheRegistrationPromotesItBeforeItIsHeld() throws Exception {
        try (GatedTcpProxy registryGate = new GatedTcpProxy(registry.address())) {
            startRelay(testLimits(), fast(), registryGate.address(), 60_000);
            w = worker(31);
            assertEquals("auth_ok", w.login().get("type"));
            java.util.concurrent.CountDownLatch atSeam = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch promoted = new java.util.concurrent.CountDownLatch(1);
            relay.beforeHoldingDialIn = () -> {
                atSeam.countDown();
                registryGate.open(); // the register_ok may come now: its promotion falls between check and hold
                try {
                    promoted.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            w.sendRegistry(registerRequest(w)); // held at the proxy
            w.ws.send(Json.write(Map.of("type", "dial_in", "url", object.url(PREFIX_PATH + "w31"))));
            assertTrue(atSeam.await(10, TimeUnit.SECONDS), "the dial_in found the login provisional");
            Map<String, Object> reply = w.nextText(10_000);
            assertEquals("register_ok", replyType(reply), reply.toString());
            assertEquals(0, relay.policy().provisionalLogins(), "promoted");
            promoted.countDown();
            Map<String, Object> answer;
            try {
                answer = w.nextText(5000);
            } catch (IllegalStateException e) {
                answer = Map.of("type", "none within 5 s");
            }
            assertEquals("dial_in_ok", answer.get("type"), "the dial_in is answered");
            assertNotNull(object.logins.poll(5, TimeUnit.SECONDS), "dialled in");
        }
    }

    /**
     * A newer outbound login of the key takes the parked endpoint over (RD6): the Worker gets {@code auth_ok}
     * first, then the frames held while parked, then live ones. The seam sends a live frame as soon as the
     * endpoint is watched for the new login (again until one is delivered). Before the fix the endpoint was
     * watched before {@code auth_ok} and the held frames went out, so that live frame came first.
     */
    @Test
    void aLoginThatTakesTheParkedEndpointOverGetsAuthOkThenTheHeldFramesThenLiveOnes() throws Exception {
        startRelay();
        dialledIn();
        InetSocketAddress parked = endpoint();
        DatagramSocket peer = parkedHolding(3);
        relay.afterWatching = () -> {
            long before = relay.framesIn.get();
            try {
                for (int i = 0; i < 100 && relay.framesIn.get() == before; i++) {
                    send(peer, parked, sealed(3));
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        JavaWorker woke = worker(31);
        woke.authReply(woke.key, null);
        assertEquals(List.of("auth_ok", "frame 0", "frame 1", "frame 2", "frame 3"), receivedUntil(woke, g -> g.size() == 5));
    }

    /** A well-formed PILA frame numbered {@code i}: what a stranger may send a Worker before it is on its allow-list. */
    static byte[] pila(int i) {
        byte[] f = new byte[pilot.core.frame.AuthKeyFrame.SIZE];
        f[0] = 'P';
        f[1] = 'I';
        f[2] = 'L';
        f[3] = 'A';
        f[4] = (byte) i;
        return f;
    }

    /** What {@code j} received, in order, until {@code until} is among it: text types, and "frame N" for frames. */
    static List<String> receivedUntil(JavaWorker j, java.util.function.Predicate<List<String>> until) throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (!until.test(got)) {
            Object o = j.inbox.poll(5, TimeUnit.SECONDS);
            assertNotNull(o, "no message after " + got);
            got.add(o instanceof byte[] b ? "frame " + frameOf(b)[4] : String.valueOf(((Map<?, ?>) o).get("type")));
        }
        return got;
    }

    /**
     * A login that names its node id is admitted on a registry thread while the Worker's own messages are decoded on
     * another: a Worker that sends {@code dial_in} (and gets a datagram) before it reads {@code auth_ok} must still
     * get {@code auth_ok} before any frame, and its endpoint must end up the dial-in's (served by the dialled
     * connection once the outbound one closes). The seam runs as soon as the decoding thread may see the login
     * admitted: it sends the {@code dial_in}, waits for its answer, then sends a stranger's PILA until the relay
     * delivered it. Before the fix the login's UDP task was queued only after that, so the dial-in's watch ran
     * first (the PILA came before {@code auth_ok}), then the login's watch took the endpoint back for the outbound
     * session, and once that closed the endpoint's datagrams were dropped.
     */
    @Test
    void aDialInSentBeforeAuthOkOfALoginAdmittedOnTheRegistryThreadLeavesTheEndpointToTheDialIn() throws Exception {
        startRelay();
        w = worker(31);
        RegistryClient rc = new RegistryClient(registry.address(), 2000);
        int node = rc.register("127.0.0.1:1", w.key.publicKey(), null).nodeId(); // known to the registry, not to the relay
        rc.setVisibility(node, true, w.key::sign);
        DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        open.add(stranger);
        InetSocketAddress[] endpoint = new InetSocketAddress[1];
        java.util.concurrent.CompletableFuture<Void> seam = new java.util.concurrent.CompletableFuture<>();
        relay.afterAdmitting = () -> {
            try {
                w.ws.send(Json.write(Map.of("type", "dial_in", "url", object.url(PREFIX_PATH + "w31"))));
                await(() -> w.inbox.stream().anyMatch(o -> o instanceof Map<?, ?> m && "dial_in_ok".equals(m.get("type"))),
                        5000, "dial_in_ok");
                for (org.java_websocket.WebSocket c : relay.getConnections()) {
                    if (c.getAttachment() instanceof RelayServer.Session s && !s.dialled) {
                        endpoint[0] = s.endpoint;
                    }
                }
                long before = relay.framesIn.get();
                for (int i = 0; i < 100 && relay.framesIn.get() == before; i++) {
                    send(stranger, endpoint[0], pila(1));
                    Thread.sleep(20);
                }
                seam.complete(null);
            } catch (Throwable e) {
                seam.completeExceptionally(e);
            }
        };
        w.authReply(w.key, node);
        seam.get(15, TimeUnit.SECONDS); // the test reads the Worker's messages only after the seam looked at them
        List<String> got = receivedUntil(w, g -> g.contains("auth_ok") && g.contains("dial_in_ok"));
        List<String> beforeAuthOk = got.subList(0, got.indexOf("auth_ok"));
        assertFalse(beforeAuthOk.stream().anyMatch(m -> m.startsWith("frame")), "no frame before auth_ok: " + got);
        assertNotNull(object.logins.poll(5, TimeUnit.SECONDS), "dialled in");
        w.close();
        await(() -> relay.sessionCount() == 1, 3000, "outbound connection gone");
        object.frames.clear();
        send(stranger, endpoint[0], pila(2));
        byte[] in = object.frames.poll(5, TimeUnit.SECONDS);
        assertNotNull(in, "the endpoint is the dial-in's: the dialled connection gets its datagrams");
        assertArrayEquals(pila(2), frameOf(in));
    }

    /**
     * Datagrams that reach a parked endpoint after a newer login took it over and before the endpoint is watched for
     * that login are dropped (they would come after the held frames they missed, and the window is microseconds):
     * counted as {@code handover} drops, so an operator sees them. The seam sends three in that window and waits
     * until the relay's UDP thread has handled them. Before the fix they vanished uncounted. The login still gets
     * {@code auth_ok}, the held frames and then live ones.
     */
    @Test
    void datagramsReachingAParkedEndpointWhileALoginTakesItOverAreCountedAsHandoverDrops() throws Exception {
        startRelay();
        dialledIn();
        InetSocketAddress parked = endpoint();
        DatagramSocket peer = parkedHolding(3);
        long droppedBefore = relay.dropped.get();
        relay.afterTakingOver = () -> {
            try {
                for (int i = 0; i < 3; i++) {
                    send(peer, parked, sealed(7));
                }
                await(() -> relay.counters().drops(RelayCounters.Direction.IN, RelayCounters.DropReason.HANDOVER) == 3, 1000,
                        "3 handover drops"); // within the login time (2 s here), or the login is closed
            } catch (Exception | AssertionError e) {
                // asserted below
            }
        };
        JavaWorker woke = worker(31);
        woke.authReply(woke.key, null);
        assertEquals(List.of("auth_ok", "frame 0", "frame 1", "frame 2"), receivedUntil(woke, g -> g.size() == 4));
        assertEquals(3, relay.counters().drops(RelayCounters.Direction.IN, RelayCounters.DropReason.HANDOVER),
                "the datagrams of the handover are counted");
        assertEquals(droppedBefore + 3, relay.dropped.get());
        relay.afterTakingOver = () -> { };
        send(peer, parked, sealed(3));
        assertEquals(List.of("frame 3"), receivedUntil(woke, g -> g.size() == 1), "live frames reach the new login");
    }

    /**
     * Whatever answers at an allowed URL has proven nothing when the relay's dial connects: one that pings and
     * never reads must get the pongs the relay's server side gives such a client, none beyond 64 queued frames.
     * The relay's dialled connections are Java-WebSocket clients, whose queue the bounds did not see (they read it
     * only from a server-side connection) and which answered every ping: before, thousands of pongs queued.
     * An honest Worker logs in and registers beside it.
     */
    @Test
    void aDialTargetThatPingsAndNeverReadsGetsBoundedPongs() throws Exception {
        try (PingingDialTarget target = new PingingDialTarget()) {
            dialledBy(target);
            int most = 0;
            long end = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < end) {
                most = Math.max(most, relay.mostQueuedFramesOfDialled());
                Thread.sleep(2);
            }
            assertTrue(most >= RelayServer.MAX_QUEUED_FRAMES_FOR_PONG, "the pongs backed up to their bound: " + most);
            assertTrue(most <= RelayServer.MAX_QUEUED_FRAMES_FOR_PONG + 1, "frames queued on the dialled connection: " + most);
            JavaWorker honest = worker(32);
            assertEquals("auth_ok", honest.login().get("type"));
            honest.join();
            assertTrue(honest.nodeId != 0, "registered beside it");
        }
    }

    /** A relay that may dial {@code target} (login time 10 s), and Worker 31 logged in, registered and asking it to. */
    void dialledBy(PingingDialTarget target) throws Exception {
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), suite, new SecureEntropy(),
                new RelayLimits(64, 10_000, 90_000, 1 << 20, 64L << 20, 5000, 1024), Set.of(), null,
                new DialInConfig(relayKey, List.of(target.url(PREFIX_PATH)), fast()));
        relay.start();
        assertTrue(relay.awaitStarted(5000));
        w = worker(31);
        assertEquals("auth_ok", w.login().get("type"));
        w.join();
        assertEquals("dial_in_ok", askDialIn(w, Map.of("url", target.url(PREFIX_PATH + "w31"))).get("type"));
    }

    /**
     * The relay's answers on a dialled connection go through the answer bound too: a dial target that left 64 pongs
     * unread and then sends its relay_challenge is closed for not reading (counted) instead of getting
     * {@code relay_proof} and {@code auth_challenge} queued on top. Before, both were sent as they were.
     */
    @Test
    void aDialTargetThatLeftABoundOfPongsUnreadIsClosedAtItsChallengeInsteadOfGettingTheProofQueued() throws Exception {
        try (PingingDialTarget target = new PingingDialTarget()) {
            dialledBy(target);
            long full = System.currentTimeMillis();
            long end = full + 8000;
            while (System.currentTimeMillis() - full < 500 && System.currentTimeMillis() < end) {
                if (relay.mostQueuedFramesOfDialled() < RelayServer.MAX_QUEUED_FRAMES_FOR_PONG) {
                    full = System.currentTimeMillis();
                }
                Thread.sleep(5);
            }
            assertTrue(System.currentTimeMillis() - full >= 500, "the pongs stayed at their bound for 0.5 s");
            target.challenge();
            await(() -> relay.counters().closedNotReading() == 1, 5000, "closed for not reading at its relay_proof");
            assertEquals("dial_in_error", w.nextText().get("type"), "the first dial failed: reported to the Worker");
            JavaWorker honest = worker(32);
            assertEquals("auth_ok", honest.login().get("type"));
            honest.join();
            assertTrue(honest.nodeId != 0, "registered beside it");
        }
    }
}
