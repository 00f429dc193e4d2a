package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.json.Json;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

/**
 * Issue 12, relay part: each attack against a running relay on 127.0.0.1 while an honest Worker pings a
 * host and streams 10 MB through its echo service; the honest transfer must complete intact. Each of these
 * failed against the relay before its hardening (see the commit that added it).
 */
class RelayAttackTest {
    static final int HONEST_BYTES = 10 << 20;
    @TempDir
    Path dir;
    RegistryServer registry;
    RelayServer relay;
    HostDaemon host;
    JavaWorker honest;
    HonestTraffic traffic;
    final List<AutoCloseable> attackers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(),
                new RelayLimits(64, 1500, 90_000, 1 << 20, 64L << 20, 20_000, 1024));
        relay.start();
        assertTrue(relay.awaitStarted(5000));
        host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
        honest = new JavaWorker(relayAddress(), 1);
        assertEquals("auth_ok", honest.login().get("type"));
        honest.join();
        traffic = new HonestTraffic(honest, host, HONEST_BYTES, 60_000);
    }

    InetSocketAddress relayAddress() {
        return new InetSocketAddress("127.0.0.1", relay.getPort());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable a : attackers) {
            try {
                a.close();
            } catch (Exception e) {
                // already closed by the relay
            }
        }
        honest.close();
        host.close();
        relay.shutdown();
        registry.close();
    }

    void assertHonestTrafficCompletes() throws Exception {
        assertEquals(HONEST_BYTES, traffic.done.get(90, TimeUnit.SECONDS), "the honest 10 MB came back");
    }

    /** A new Worker can still connect and log in. */
    void assertStillAccepting(long seed) throws Exception {
        try (JavaWorker late = new JavaWorker(relayAddress(), seed)) {
            assertEquals("auth_challenge", late.nextText().get("type"));
        }
    }

    @Test
    void aFrameHeaderClaimingAHugeLengthIsClosedWith1009WithoutTheAllocation() throws Exception {
        traffic.start();
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            RawWebSocket raw = new RawWebSocket(relay.getPort());
            attackers.add(raw);
            assertTrue(raw.upgrade().startsWith("HTTP/1.1 101"));
            assertEquals(1, raw.readFrame().opcode(), "the login challenge");
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            raw.out.write(RawWebSocket.frameHeader(2, 256L << 20)); // claims 256 MiB, sends 16 bytes
            raw.out.write(new byte[16]);
            assertEquals(1009, raw.awaitClose(), "closed as too big");
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            assertTrue(heapAfter - heapBefore < 128L << 20, "no 256 MiB buffer: heap grew by " + (heapAfter - heapBefore));
        }
        assertStillAccepting(900);
        assertHonestTrafficCompletes();
    }

    @Test
    void aMessageFragmentedBeyondTheLimitIsClosedWith1009() throws Exception {
        RawWebSocket raw = new RawWebSocket(relay.getPort());
        attackers.add(raw);
        raw.upgrade();
        raw.readFrame(); // the challenge
        byte[] chunk = new byte[60_000];
        boolean cut = false;
        try {
            for (int i = 0; i < 64; i++) { // 3.8 MB in fragments of one message, each below the frame limit
                raw.out.write(RawWebSocket.frameHeader(i == 0 ? 2 : 0, chunk.length, false));
                raw.out.write(chunk);
            }
        } catch (java.io.IOException e) {
            cut = true;
        }
        int code = cut ? 1009 : raw.awaitClose();
        assertEquals(1009, code, "the message as a whole is bounded too: " + raw.closeReason);
    }

    @Test
    void aMalformedCloseFrameEndsTheConnectionInsteadOfRepeatingALibraryFailure() throws Exception {
        RawWebSocket raw = new RawWebSocket(relay.getPort());
        attackers.add(raw);
        raw.upgrade();
        raw.readFrame(); // the challenge
        // close frames with status 1000 and a reason that is not UTF-8: Java-WebSocket 1.6.0 throws a
        // NullPointerException on each, logged with a stack trace, and kept reading the connection
        byte[] badClose = {0x03, (byte) 0xE8, (byte) 0xFF};
        int sent = 0;
        try {
            for (; sent < 200; sent++) {
                raw.out.write(new byte[] {(byte) 0x88, (byte) (0x80 | badClose.length), 0, 0, 0, 0}); // FIN, close, masked (key 0)
                raw.out.write(badClose);
                raw.out.flush();
            }
        } catch (java.io.IOException closedUnderUs) {
            // the relay closed the connection while frames were still going out: what we want
        }
        assertEquals(1002, raw.awaitClose(), "a protocol-error close after the first malformed frame (" + sent + " sent)");
        assertStillAccepting(901);
    }

    @Test
    void pingsFromAClientThatNeverReadsQueueBoundedPongs() throws Exception {
        traffic.start();
        RawWebSocket raw = slowReader();
        byte[] burst = pings(1000);
        int most = mostQueuedWhileWriting(raw, () -> {
            for (int i = 0; i < 100; i++) { // 100,000 pings, 13 MB, and we never read a pong
                raw.out.write(burst);
            }
        });
        raw.close(); // unblocks the writer if the relay stopped reading
        assertTrue(most <= RelayServer.MAX_QUEUED_FRAMES_FOR_PONG + 1, "frames queued on one connection: " + most);
        assertHonestTrafficCompletes();
    }

    @Test
    void aClientThatNeverReadsItsAnswersIsClosedOnceABoundOfThemIsQueued() throws Exception {
        traffic.start();
        // any key that signs the nonce logs in provisionally; it then asks and asks, and never reads
        RawWebSocket raw = slowReader();
        raw.sendText(authReply(raw, 21));
        assertEquals("auth_ok", Json.parseObject(new String(raw.readFrame().payload(), StandardCharsets.UTF_8)).value().get("type"));
        // each earns a text answer at once: a registry request before registering (its 8 KB id echoed back), and a
        // dial_in while one is already held until register_ok
        String lookup = Json.write(Map.of("type", "registry", "id", "x".repeat(8000), "request", Map.of("type", "lookup")));
        String dialIn = Json.write(Map.of("type", "dial_in", "url", "https://127.0.0.1/w"));
        int most = mostQueuedWhileWriting(raw, () -> {
            for (int i = 0; i < 2000; i++) { // 16 MB of answers if all were queued
                raw.sendText(lookup);
                raw.sendText(dialIn);
            }
        });
        assertTrue(most <= RelayServer.MAX_QUEUED_ANSWERS + 1, "frames queued on one connection: " + most);
        // closed for not reading (the login time, 1.5 s here, would close it too, but would not count it): its session
        // is gone at once; its close frame waits behind the answers it never reads
        long end2 = System.currentTimeMillis() + 5000;
        while (relay.counters().closedNotReading() == 0 && System.currentTimeMillis() < end2) {
            Thread.sleep(10);
        }
        assertEquals(1, relay.counters().closedNotReading(), "closed and counted once");
        assertEquals(0, relay.connectionsByState().get("provisional"), "its session ended");
        raw.close(); // unblocks the writer if the relay stopped reading
        assertHonestTrafficCompletes();
    }

    /**
     * The answers before and at the login ({@code auth_ok} here; {@code auth_challenge}, and on a dialled connection
     * {@code relay_proof}) go through the same bound as the others: a client that pinged until 64 pongs wait
     * unread, then logs in, is closed and counted instead of getting its {@code auth_ok} queued on top. Before,
     * {@code auth_ok} was sent as it was (queued on the 64 pongs, nothing counted).
     */
    @Test
    void aClientThatLeftABoundOfPongsUnreadIsClosedAtItsLoginInsteadOfGettingAuthOkQueued() throws Exception {
        // a login time long enough for the pongs to back up on a loaded machine (1.5 s in the other tests)
        restartWithHonestWorker(new RelayLimits(64, 20_000, 90_000, 1 << 20, 64L << 20, 20_000, 1024));
        traffic.start();
        RawWebSocket raw = slowReader();
        String authReply = authReply(raw, 22);
        byte[] burst = pings(100);
        // pings without end, the auth_reply among them once the test saw the pongs stay at their bound (the TCP path
        // to us full, which takes megabytes as the kernel grows the relay's send buffer); the pings after it keep it so
        java.util.concurrent.CountDownLatch logIn = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    raw.out.write(burst);
                    if (logIn.getCount() == 0) {
                        raw.sendText(authReply);
                        while (true) {
                            raw.out.write(burst);
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // closed: by the relay, or by the test at its end
            }
        }, "pinger");
        writer.setDaemon(true);
        writer.start();
        long full = System.currentTimeMillis();
        long end = full + 15_000;
        while (System.currentTimeMillis() - full < 500 && System.currentTimeMillis() < end) {
            if (outQueueOf(raw) < RelayServer.MAX_QUEUED_FRAMES_FOR_PONG) {
                full = System.currentTimeMillis();
            }
            Thread.sleep(5);
        }
        assertTrue(System.currentTimeMillis() - full >= 500, "the pongs stayed at their bound for 0.5 s: " + outQueueOf(raw));
        logIn.countDown();
        long end2 = System.currentTimeMillis() + 10_000;
        while (relay.counters().closedNotReading() == 0 && System.currentTimeMillis() < end2) {
            Thread.sleep(5);
        }
        assertEquals(1, relay.counters().closedNotReading(), "closed for not reading, and counted, at its auth_ok");
        assertTrue(outQueueOf(raw) <= RelayServer.MAX_QUEUED_ANSWERS + 1, "no auth_ok on top (at most the close frame)");
        assertEquals(0, relay.connectionsByState().get("provisional"), "its session ended");
        raw.close();
        assertHonestTrafficCompletes();
    }

    @Test
    void anUnterminatedUpgradeRequestIsCutOff() throws Exception {
        traffic.start();
        RawWebSocket raw = new RawWebSocket(relay.getPort());
        attackers.add(raw);
        String head = RawWebSocket.upgradeRequest(relay.getPort());
        raw.out.write(head.substring(0, head.length() - 2).getBytes(StandardCharsets.US_ASCII));
        byte[] line = ("X-Filler: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        boolean cut = false;
        try {
            for (int i = 0; i < 1024; i++) { // 1 MiB of headers that never end
                raw.out.write(line);
            }
        } catch (java.io.IOException e) {
            cut = true; // the relay closed the connection under us
        }
        raw.socket.setSoTimeout(3000);
        assertTrue(cut || raw.closedByServer(), "the relay closed the endless upgrade request");
        assertStillAccepting(901);
        assertHonestTrafficCompletes();
    }

    @Test
    void aHalfOpenUpgradeTimesOut() throws Exception {
        traffic.start();
        RawWebSocket raw = new RawWebSocket(relay.getPort());
        attackers.add(raw);
        raw.out.write("GET /v1/relay HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        raw.socket.setSoTimeout((int) RelayLimits.DEFAULTS.handshakeTimeoutMillis() + 3000);
        assertTrue(raw.closedByServer(), "closed after the handshake timeout");
        assertHonestTrafficCompletes();
    }

    @Test
    void throwawayLoginsKeepingAliveWithTextCannotFillTheRelay() throws Exception {
        // a Worker that registered through this relay before, and will come back during the attack
        try (JavaWorker returning = new JavaWorker(relayAddress(), 2)) {
            returning.login();
            returning.join();
        }
        traffic.start();
        int mostAtOnce = 0;
        for (int i = 0; i < 100; i++) { // fresh keys: more than the relay's 64 connections
            JavaWorker t = new JavaWorker(relayAddress(), 10_000 + i);
            attackers.add(t);
            if (!t.closed.isDone() && "auth_ok".equals(t.login().get("type")) && t.ws.isOpen()) {
                mostAtOnce = Math.max(mostAtOnce, relay.policy().provisionalLogins());
                t.ws.send("{\"type\":\"keepalive\"}");
            }
        }
        assertTrue(mostAtOnce <= RelayLimits.DEFAULTS.maxProvisionalPerIp(), "unregistered keys at once: " + mostAtOnce);
        // on loopback the attacker shares the honest Worker's IP: let its login budget refill
        Thread.sleep(1000 / RelayLimits.DEFAULTS.loginsPerSecondPerIp() + 50);
        try (JavaWorker back = new JavaWorker(relayAddress(), 2)) {
            assertEquals("auth_ok", back.login().get("type"), "the registered Worker gets in during the flood");
        }
        assertHonestTrafficCompletes();
    }

    @Test
    void textKeepalivesDoNotKeepAnIdleWorkerConnected() throws Exception {
        relay.shutdown();
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(),
                new RelayLimits(64, 10_000, 1500, 1 << 20, 64L << 20, 5000, 1024));
        relay.start();
        assertTrue(relay.awaitStarted(5000));
        JavaWorker idler = new JavaWorker(relayAddress(), 3);
        attackers.add(idler);
        idler.login();
        idler.join();
        for (int i = 0; i < 40 && !idler.closed.isDone(); i++) { // 4 s of text and registry requests, no Pilot frame
            idler.ws.send("{\"type\":\"keepalive\"}");
            idler.ws.send("{\"type\":\"registry\",\"id\":1,\"request\":{\"type\":\"lookup\",\"node_id\":1}}");
            Thread.sleep(100);
        }
        assertTrue(idler.closed.isDone(), "closed while it was still sending text");
        assertEquals(1001, idler.closed.join(), "closed as idle despite the text");
    }

    @Test
    void strangersDatagramsNeitherReachTheWorkerNorEvictItsPeers() throws Exception {
        traffic.start();
        InetSocketAddress workerEndpoint = endpointOf(honest);
        byte[] junk = {1};
        for (int i = 0; i < 1100; i++) { // distinct source ports: more than the 1,024 allow-list entries
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                d.send(new DatagramPacket(junk, 1, workerEndpoint));
                d.send(new DatagramPacket("PILSxxxx".getBytes(StandardCharsets.US_ASCII), 8, workerEndpoint));
            }
        }
        assertHonestTrafficCompletes(); // its host is still on the allow-list
        assertTrue(honest.strayFrames.isEmpty(), "no non-Pilot datagram reached the Worker: " + honest.strayFrames.size());
    }

    @Test
    void onlyWellFormedPilotFramesLeaveTheRelay() throws Exception {
        traffic.start();
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // the target is registered (registration is open), so a Worker may resolve it: a reflector before
            RegistryClient rc = new RegistryClient(registry.address(), 2000);
            JavaWorker attacker = new JavaWorker(relayAddress(), 4);
            attackers.add(attacker);
            attacker.login();
            attacker.join();
            var targetKey = new BouncyCastleSuite().ed25519(new pilot.core.crypto.SeededEntropy(5).bytes(32));
            int targetNode = rc.register("127.0.0.1:" + target.getLocalPort(), targetKey.publicKey(), null).nodeId();
            rc.setVisibility(targetNode, true, targetKey::sign);
            InetSocketAddress to = attacker.realAddress(targetNode);
            byte[][] bad = {
                "PILTnot a packet at all".getBytes(StandardCharsets.US_ASCII), // PILT without a valid header and CRC
                "PILSshort".getBytes(StandardCharsets.US_ASCII),               // PILS shorter than nonce and tag
                "PILA".getBytes(StandardCharsets.US_ASCII),                     // PILA without keys and signature
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                {0x01, 'x'},                                                    // a beacon message
            };
            for (byte[] b : bad) {
                attacker.ws.send(RelayProtocol.pack(to, b, 0, b.length));
            }
            byte[] punch = {'P', 'I', 'L', 'P'};
            attacker.ws.send(RelayProtocol.pack(to, punch, 0, punch.length));
            target.setSoTimeout(3000);
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            target.receive(p);
            assertEquals("PILP", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII),
                    "only the well-formed frame arrived, byte for byte");
            target.setSoTimeout(300);
            assertThrowsTimeout(() -> target.receive(new DatagramPacket(new byte[2048], 2048)));
        }
        assertHonestTrafficCompletes();
    }

    @Test
    void aNewerLoginOfTheSameKeyReplacesTheOlderOneButAForgeryDoesNot() throws Exception {
        JavaWorker first = new JavaWorker(relayAddress(), 6);
        attackers.add(first);
        first.login();
        first.join();
        JavaWorker forger = new JavaWorker(relayAddress(), 6); // same public key, cannot sign
        attackers.add(forger);
        JavaWorker other = new JavaWorker(relayAddress(), 7);
        attackers.add(other);
        forger.login(other.key);
        assertEquals(1008, forger.closed.get(5, TimeUnit.SECONDS));
        Thread.sleep(200);
        assertTrue(!first.closed.isDone(), "a login that did not prove the key replaces nothing");
        JavaWorker second = new JavaWorker(relayAddress(), 6);
        attackers.add(second);
        assertEquals("auth_ok", second.login().get("type"));
        assertEquals(1000, first.closed.get(5, TimeUnit.SECONDS), "the older connection of the key is closed");
    }

    void restartRelay(RelayLimits limits) throws Exception {
        relay.shutdown();
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(), limits);
        relay.start();
        assertTrue(relay.awaitStarted(5000));
    }

    /** {@link #restartRelay}, with the honest Worker logged in to the new relay and its traffic made anew (not started). */
    void restartWithHonestWorker(RelayLimits limits) throws Exception {
        honest.close();
        restartRelay(limits);
        honest = new JavaWorker(relayAddress(), 40); // another key: the first one's node is registered already
        assertEquals("auth_ok", honest.login().get("type"));
        honest.join();
        traffic = new HonestTraffic(honest, host, HONEST_BYTES, 60_000);
    }

    @Test
    void connectionsFromOneIpAreBounded() throws Exception {
        restartRelay(RelayLimits.DEFAULTS.withLogins(4, 20, 64, 8));
        for (int i = 0; i < 4; i++) {
            RawWebSocket raw = new RawWebSocket(relay.getPort()); // connected, never upgrading
            attackers.add(raw);
        }
        for (int i = 0; i < 50 && relay.socketCount() < 4; i++) {
            Thread.sleep(10);
        }
        assertEquals(4, relay.socketCount());
        RawWebSocket fifth = new RawWebSocket(relay.getPort());
        attackers.add(fifth);
        fifth.socket.setSoTimeout(2000);
        assertTrue(fifth.closedByServer(), "maxConnectionsPerIp = 4: the fifth is closed at once");
        attackers.get(attackers.size() - 2).close();
        for (int i = 0; i < 100 && relay.socketCount() > 3; i++) {
            Thread.sleep(10);
        }
        assertStillAccepting(902);
    }

    @Test
    void loginAttemptsFromOneIpAreRateLimitedBeforeTheSignatureCheck() throws Exception {
        restartRelay(RelayLimits.DEFAULTS.withLogins(256, 1, 64, 8));
        int tooMany = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            JavaWorker forger = new JavaWorker(relayAddress(), 8);
            attackers.add(forger);
            forger.login(honest.key); // never the right signature
            if (forger.closed.get(5, TimeUnit.SECONDS) == 1013) {
                tooMany++;
            }
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        // 1 attempt a second, burst 1: at most 1 + (elapsed seconds, rounded up) reach the signature check
        assertTrue(tooMany >= 10 - 2 - seconds, "refused unchecked: " + tooMany + " in " + seconds + " s");
        assertTrue(tooMany >= 1);
        assertEquals(10, relay.authRefused.get());
    }

    @Test
    void aProvisionalLoginMayOnlyRegisterItsOwnKey() throws Exception {
        JavaWorker fresh = new JavaWorker(relayAddress(), 9);
        attackers.add(fresh);
        assertEquals("auth_ok", fresh.login().get("type"));
        assertEquals(1, relay.policy().provisionalLogins());
        assertEquals("error", fresh.registry(Map.of("type", "lookup", "node_id", 1L)).get("type"));
        fresh.join(); // register_ok promotes it
        assertEquals(0, relay.policy().provisionalLogins());
        assertEquals("lookup_ok", fresh.registry(Map.of("type", "lookup", "node_id", Integer.toUnsignedLong(honest.nodeId))).get("type"));
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            JavaWorker binary = new JavaWorker(relayAddress(), 10);
            attackers.add(binary);
            binary.login();
            long before = relay.dropped.get();
            binary.ws.send(RelayProtocol.pack((InetSocketAddress) target.getLocalSocketAddress(), new byte[] {'P', 'I', 'L', 'P'}, 0, 4));
            for (int i = 0; i < 100 && relay.dropped.get() == before; i++) {
                Thread.sleep(10);
            }
            assertEquals(before + 1, relay.dropped.get(), "a frame before the registration is dropped");
            target.setSoTimeout(300);
            assertThrowsTimeout(() -> target.receive(new DatagramPacket(new byte[64], 64)));
        }
    }

    @Test
    void anUnregisteredLoginIsClosedAfterTheLoginTime() throws Exception {
        JavaWorker fresh = new JavaWorker(relayAddress(), 11);
        attackers.add(fresh);
        assertEquals("auth_ok", fresh.login().get("type"));
        assertEquals(1008, fresh.closed.get(5, TimeUnit.SECONDS), "authTimeoutMillis = 1.5 s to register");
        for (int i = 0; i < 100 && relay.policy().provisionalLogins() > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, relay.policy().provisionalLogins(), "its provisional slot is free again");
    }

    @Test
    void registryRequestsInFlightPerWorkerAreBounded() throws Exception {
        // a registry that accepts and never answers, and a Worker let in by the allow-list
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                List<java.net.Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(mute.accept());
                    }
                } catch (java.io.IOException e) {
                    held.forEach(h -> {
                        try {
                            h.close();
                        } catch (java.io.IOException ignored) {
                            // closing
                        }
                    });
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            JavaWorker w0 = new JavaWorker(relayAddress(), 12); // only for its key
            w0.close();
            relay.shutdown();
            relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                    new RegistryClient(new InetSocketAddress("127.0.0.1", mute.getLocalPort()), 3000), new BouncyCastleSuite(),
                    new SecureEntropy(), RelayLimits.DEFAULTS, java.util.Set.of(new RelayPolicy.Key(w0.key.publicKey())), null);
            relay.start();
            assertTrue(relay.awaitStarted(5000));
            JavaWorker w = new JavaWorker(relayAddress(), 12);
            attackers.add(w);
            assertEquals("auth_ok", w.login().get("type"));
            for (int i = 0; i < 20; i++) {
                w.ws.send(Json.write(Map.of("type", "registry", "id", (long) i, "request", Map.of("type", "lookup", "node_id", 1L))));
            }
            int refusedAtOnce = 0;
            for (int i = 0; i < 20 - RelayServer.MAX_REGISTRY_IN_FLIGHT; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> reply = (Map<String, Object>) w.nextText().get("reply");
                if (String.valueOf(reply.get("error")).contains("in flight")) {
                    refusedAtOnce++;
                }
            }
            assertEquals(20 - RelayServer.MAX_REGISTRY_IN_FLIGHT, refusedAtOnce, "answered at once, not queued");
        }
    }

    @Test
    void aWorkerThatDoesNotReadGetsABoundedQueueAndDropsAreCounted() throws Exception {
        traffic.start();
        // a peer the slow Worker may hear from: registered, public, and looked up by the Worker
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            RegistryClient rc = new RegistryClient(registry.address(), 2000);
            var peerKey = new BouncyCastleSuite().ed25519(new pilot.core.crypto.SeededEntropy(13).bytes(32));
            int peerNode = rc.register("127.0.0.1:" + peer.getLocalPort(), peerKey.publicKey(), null).nodeId();
            rc.setVisibility(peerNode, true, peerKey::sign);
            // the slow Worker logs in and registers by hand over a raw socket, then never reads again
            JavaWorker keys = new JavaWorker(relayAddress(), 14);
            attackers.add(keys);
            keys.login();
            keys.join(); // registered: its next login is full at once
            keys.close();
            RawWebSocket slow = new RawWebSocket(relay.getPort());
            attackers.add(slow);
            slow.socket.setReceiveBufferSize(4096);
            slow.upgrade();
            String nonce = (String) Json.parseObject(new String(slow.readFrame().payload(), StandardCharsets.UTF_8)).value().get("nonce");
            String sig = java.util.Base64.getEncoder().encodeToString(keys.key.sign(RelayProtocol.challengeBytes(nonce, keys.keyB64)));
            slow.sendText(Json.write(Map.of("type", "auth_reply", "public_key", keys.keyB64, "sig", sig)));
            Map<String, Object> ok = Json.parseObject(new String(slow.readFrame().payload(), StandardCharsets.UTF_8)).value();
            assertEquals("auth_ok", ok.get("type"));
            slow.sendText(Json.write(Map.of("type", "registry", "id", 1L, "request",
                    Map.of("type", "lookup", "node_id", Integer.toUnsignedLong(peerNode)))));
            assertTrue(new String(slow.readFrame().payload(), StandardCharsets.UTF_8).contains("lookup_ok"));
            String ep = (String) ok.get("endpoint");
            InetSocketAddress slowEndpoint = new InetSocketAddress("127.0.0.1", Integer.parseInt(ep.substring(ep.lastIndexOf(':') + 1)));
            // 12 MB of well-formed PILS frames towards it, within its inbound rate
            byte[] frame = new byte[1400];
            System.arraycopy("PILS".getBytes(StandardCharsets.US_ASCII), 0, frame, 0, 4);
            long dropsBefore = relay.dropped.get();
            long mostQueued = 0;
            for (int i = 0; i < 9000; i++) {
                peer.send(new DatagramPacket(frame, frame.length, slowEndpoint));
                if (i % 100 == 99) {
                    mostQueued = Math.max(mostQueued, relay.queuedBytes());
                    Thread.sleep(25); // 4,000 frames a second: under the 5,000 rate, so the queue is what drops
                }
            }
            Thread.sleep(200);
            mostQueued = Math.max(mostQueued, relay.queuedBytes());
            // the slow Worker's 1 MiB bound plus the honest Worker's own (at most 1 MiB), not the 12 MB sent
            assertTrue(mostQueued <= 2 * ((1 << 20) + frame.length), "queued towards both Workers: " + mostQueued);
            assertTrue(relay.dropped.get() - dropsBefore > 1000, "dropped and counted: " + (relay.dropped.get() - dropsBefore));
        }
        assertHonestTrafficCompletes();
    }

    @Test
    void aKeyTheRegistryHoldsForTheNamedNodeLogsInWithoutTheProvisionalStep() throws Exception {
        // a relay that takes no unregistered key at all (and has never seen the honest Worker register)
        restartRelay(RelayLimits.DEFAULTS.withLogins(256, 20, 0, 0));
        try (JavaWorker plain = new JavaWorker(relayAddress(), 1)) {
            assertEquals("closed", plain.login().get("type"), "unknown to this relay, no claim: refused");
        }
        JavaWorker other = new JavaWorker(relayAddress(), 2);
        attackers.add(other);
        try (JavaWorker liar = new JavaWorker(relayAddress(), 15)) {
            assertEquals("closed", liar.login(liar.key, honest.nodeId).get("type"), "a node id registered to another key");
        }
        try (JavaWorker claimed = new JavaWorker(relayAddress(), 1)) {
            assertEquals("auth_ok", claimed.login(claimed.key, honest.nodeId).get("type"), "the registry holds this key for it");
            assertTrue(relay.policy().isKnown(new RelayPolicy.Key(claimed.key.publicKey())));
        }
    }

    /**
     * An upgraded raw client with a 4 KiB receive buffer that reads nothing unless the test does. The buffer is set
     * before the connect: set after it (as these tests did), the window announced at the handshake stays and the
     * relay's writes to it stalled unpredictably, and with them, at times, its reading of the client's pings.
     */
    RawWebSocket slowReader() throws java.io.IOException {
        RawWebSocket raw = new RawWebSocket(relay.getPort(), 4096);
        attackers.add(raw);
        raw.upgrade();
        return raw;
    }

    /** Reads {@code raw}'s auth_challenge and returns the auth_reply of key {@code seed} to it (any key logs in provisionally). */
    static String authReply(RawWebSocket raw, long seed) throws java.io.IOException {
        var key = new BouncyCastleSuite().ed25519(new pilot.core.crypto.SeededEntropy(seed).bytes(32));
        String keyB64 = java.util.Base64.getEncoder().encodeToString(key.publicKey());
        String nonce = (String) Json.parseObject(new String(raw.readFrame().payload(), StandardCharsets.UTF_8)).value().get("nonce");
        String sig = java.util.Base64.getEncoder().encodeToString(key.sign(RelayProtocol.challengeBytes(nonce, keyB64)));
        return Json.write(Map.of("type", "auth_reply", "public_key", keyB64, "sig", sig));
    }

    /** {@code n} masked (key 0) pings of 125 bytes each, back to back. */
    static byte[] pings(int n) {
        byte[] ping = new byte[6 + 125];
        ping[0] = (byte) 0x89; // FIN, ping
        ping[1] = (byte) (0x80 | 125); // masked (key 0), 125 bytes
        byte[] burst = new byte[ping.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
        }
        return burst;
    }

    /** Writing to a socket that may be closed under it. */
    interface Writes {
        void run() throws java.io.IOException;
    }

    /**
     * Runs {@code writes} on a thread of its own (it may block when the relay stops reading) and returns the most
     * frames the relay had queued on {@code raw}'s connection meanwhile, sampled for up to 3 s.
     */
    int mostQueuedWhileWriting(RawWebSocket raw, Writes writes) throws InterruptedException {
        Thread writer = new Thread(() -> {
            try {
                writes.run();
            } catch (java.io.IOException e) {
                // closed: by the relay, or by the test after this returns
            }
        });
        writer.setDaemon(true);
        writer.start();
        int most = 0;
        long end = System.currentTimeMillis() + 3000;
        while (writer.isAlive() && System.currentTimeMillis() < end) {
            most = Math.max(most, outQueueOf(raw));
            Thread.sleep(2);
        }
        return Math.max(most, outQueueOf(raw));
    }

    /** Frames the relay has waiting to go out on {@code raw}'s connection. */
    int outQueueOf(RawWebSocket raw) {
        for (org.java_websocket.WebSocket ws : relay.getConnections()) {
            if (ws instanceof org.java_websocket.WebSocketImpl impl && ws.getRemoteSocketAddress() != null
                    && ws.getRemoteSocketAddress().getPort() == raw.socket.getLocalPort()) {
                return impl.outQueue.size();
            }
        }
        return 0;
    }

    static InetSocketAddress endpointOf(JavaWorker w) {
        int colon = w.endpoint.lastIndexOf(':');
        return new InetSocketAddress(w.endpoint.substring(0, colon), Integer.parseInt(w.endpoint.substring(colon + 1)));
    }

    static void assertThrowsTimeout(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, e);
    }

    static Map<String, Object> text(String type) {
        return Map.of("type", type);
    }
}
