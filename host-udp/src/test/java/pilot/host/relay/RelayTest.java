package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocketImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.addr.Ports;
import pilot.core.edge.RelayBatch;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.node.NodeEvent;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

class RelayTest {
    @TempDir
    Path dir;
    RegistryServer registry;
    RelayServer relay;

    @BeforeEach
    void start() throws Exception {
        registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
        startRelay(new RelayLimits(64, 1500, 90_000, 1 << 20, 64L << 20, 5000, 1024));
    }

    void startRelay(RelayLimits limits) throws Exception {
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(), limits);
        relay.start();
        assertTrue(relay.awaitStarted(5000), "relay started");
    }

    InetSocketAddress relayAddress() {
        return new InetSocketAddress("127.0.0.1", relay.getPort());
    }

    @AfterEach
    void stop() throws Exception {
        relay.shutdown();
        registry.close();
    }

    @Test
    void aPeersCloseReasonIsLoggedAsOneLineOfPrintableText() {
        // a logged-in key chooses its close frame's reason (123 bytes of UTF-8): no newline may forge a log line
        assertEquals("bye?WARN forged??", RelayServer.printable("bye\nWARN forged\r\u2028"));
        assertEquals(123, RelayServer.printable("x".repeat(500)).length());
        assertEquals("going away", RelayServer.printable("going away"));
    }

    @Test
    void aWorkerBehindTheRelayAndAHostReachEachOther() throws Exception {
        try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
             JavaWorker w = new JavaWorker(relayAddress(), 1)) {
            assertEquals("auth_ok", w.login().get("type"));
            w.join();
            // Worker pings the host: the relay carries frames out of the Worker's own UDP endpoint
            int ping = w.node.ping(host.address(), w.now()).value();
            w.pump(2000);
            assertEquals(ping, w.eventsOf(NodeEvent.Pong.class).get(0).ping());
            // the host resolves the Worker through the registry and reaches it directly at the relay endpoint
            var pong = host.ping(w.address());
            w.pump(1500);
            assertTrue(pong.get(5, TimeUnit.SECONDS) >= 0);
            // a stream Worker -> host echo, 256 KB
            byte[] data = new SeededEntropy(2).bytes(256 * 1024);
            assertArrayEquals(data, echo(w, host, data));
            assertTrue(relay.framesIn.get() >= 64 && relay.framesOut.get() >= 64); // 256 KiB each way is 64 segments of 4096 at least
            assertEquals(0, w.batchesReceived, "a Worker that did not ask for batches gets none");
        }
    }

    @Test
    void aRelayOnLoopbackLetsWorkersSendWholeWindowUnitSegments() throws Exception {
        assertEquals(4096, RelayProtocol.streamMssFor(InetAddress.getLoopbackAddress()));
        assertEquals(4096, RelayProtocol.streamMssFor(InetAddress.getByName("::1")));
        assertEquals(1024, RelayProtocol.streamMssFor(InetAddress.getByName("192.0.2.1")), "a network leg may fragment");
        assertEquals(4096, echoThroughTheRelay(), "a 4096-byte segment in one frame");
    }

    @Test
    void aWorkerThatAsksForBatchesGetsTheDatagramsOfOnePassInOneMessage() throws Exception {
        try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
             JavaWorker w = new JavaWorker(relayAddress(), 5)) {
            w.batch = true;
            assertEquals("auth_ok", w.login().get("type"));
            w.join();
            byte[] data = new SeededEntropy(6).bytes(512 * 1024);
            assertArrayEquals(data, echo(w, host, data), "every byte, in order, through batches");
            assertTrue(w.batchesReceived > 0 && w.batchedMessages >= 2 * w.batchesReceived,
                    w.batchesReceived + " batches, " + w.batchedMessages + " messages in them");
        }
    }

    @Test
    void aWorkerThatAsksForBatchesMaySendThemTooAndEachMessageInsideIsForwarded() throws Exception {
        try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
             JavaWorker w = new JavaWorker(relayAddress(), 7)) {
            w.batch = true;
            assertEquals(Boolean.TRUE, w.login().get("batch"), "auth_ok: this relay takes batches from a Worker that asked");
            assertTrue(w.batchOut);
            w.join();
            long before = relay.framesOut.get();
            byte[] data = new SeededEntropy(8).bytes(512 * 1024);
            assertArrayEquals(data, echo(w, host, data), "every byte, in order, through batches both ways");
            long frames = relay.framesOut.get() - before;
            assertTrue(frames >= 128, frames + " datagrams forwarded: 512 KiB is 128 segments of 4096 at least");
            assertTrue(w.batchesSent < frames, w.batchesSent + " WebSocket messages carried " + frames + " datagrams");
        }
    }

    @Test
    void aWorkerThatDidNotAskForBatchesIsNotToldAndItsBatchIsMalformed() throws Exception {
        try (JavaWorker w = new JavaWorker(relayAddress(), 9)) {
            Map<String, Object> ok = w.login();
            assertEquals("auth_ok", ok.get("type"));
            assertFalse(ok.containsKey("batch"), "no batch in auth_ok: " + ok);
            w.join();
            byte[] one = RelayProtocol.pack(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), new byte[] {1}, 0, 1);
            w.sendRaw(RelayBatch.encode(List.of(one, one)).value());
            assertEquals(1008, w.closed.get(5, TimeUnit.SECONDS), "as before: a message with ipLen 0 is malformed");
        }
    }

    @Test
    void aMalformedBatchFromABatchingWorkerClosesItsConnection() throws Exception {
        try (JavaWorker w = new JavaWorker(relayAddress(), 11)) {
            w.batch = true;
            w.login();
            w.join();
            w.sendRaw(new byte[] {0, 0, 9, 4, 127}); // a record of 9 bytes that runs past the end
            assertEquals(1008, w.closed.get(5, TimeUnit.SECONDS));
        }
        try (JavaWorker w = new JavaWorker(relayAddress(), 12)) {
            w.batch = true;
            w.login();
            w.join();
            byte[] big = new byte[RelayBatch.MAX_BYTES + 1]; // well-formed records, one byte over the bound
            for (int at = 1; at + 2 < big.length; ) {
                int len = Math.min(4000, big.length - at - 2);
                big[at] = (byte) (len >> 8);
                big[at + 1] = (byte) len;
                at += 2 + len;
            }
            w.sendRaw(big);
            assertEquals(1008, w.closed.get(5, TimeUnit.SECONDS), "over 64 KiB: refused whole");
        }
    }

    @Test
    void batchesStayWithin64KiBAndKeepOrder() {
        java.util.List<byte[]> sent = new java.util.ArrayList<>();
        RelayServer.Batch b = new RelayServer.Batch(sent::add);
        for (int i = 0; i < 40; i++) {
            byte[] m = new byte[4166]; // a 4096-byte segment's datagram with its address header
            m[0] = 4;
            m[1] = (byte) i;
            b.add(m);
        }
        b.add(null); // dropped by the policy: nothing
        b.flush();
        int seen = 0;
        for (byte[] out : sent) {
            assertTrue(out.length <= RelayProtocol.MAX_BATCH_BYTES, "message of " + out.length);
            assertEquals(RelayProtocol.BATCH, out[0]);
            for (int at = 1; at < out.length; at += 2 + 4166) {
                assertEquals(4166, ((out[at] & 0xFF) << 8) | (out[at + 1] & 0xFF));
                assertEquals((byte) seen++, out[at + 3], "in order");
            }
        }
        assertEquals(40, seen);
        assertEquals(3, sent.size(), "15 + 15 + 10 records of 4,168 bytes in 64 KiB messages");
        sent.clear();
        byte[] big = new byte[65_535 + 8];
        b.add(new byte[100]);
        b.add(big);
        b.flush();
        assertEquals(2, sent.size());
        assertEquals(100, sent.get(0).length, "one message alone goes as it is");
        assertSame(big, sent.get(1), "a message too large for a batch goes as it is");
    }

    @Test
    void anOperatorSetsTheWorkersSegmentSize() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> relay.setWorkerStreamMss(4097));
        assertThrows(IllegalArgumentException.class, () -> relay.setWorkerStreamMss(1023));
        relay.shutdown();
        relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(),
                new RelayLimits(64, 1500, 90_000, 1 << 20, 64L << 20, 5000, 1024));
        relay.setWorkerStreamMss(1024);
        relay.start();
        assertTrue(relay.awaitStarted(5000), "relay started");
        assertEquals(1024, echoThroughTheRelay(), "segments of 1024 bytes only");
    }

    /** {@code data} through the host's echo service and back, as far as it came within 4,000 pumps. */
    private static byte[] echo(JavaWorker w, HostDaemon host, byte[] data) throws Exception {
        int s = w.node.openStream(host.address(), Ports.ECHO, w.now()).value();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        int off = 0;
        for (int i = 0; i < 4000 && back.size() < data.length; i++) {
            if (off < data.length) {
                off += w.node.write(s, data, off, Math.min(data.length - off, 32768), w.now()).value();
            }
            byte[] chunk = w.node.read(s, 1 << 20, w.now()).value();
            back.write(chunk, 0, chunk.length);
            w.pump(5);
        }
        return back.toByteArray();
    }

    /** Logs a JavaWorker in (checking auth_ok's stream_mss), echoes 64 KiB through a host; its largest segment. */
    private int echoThroughTheRelay() throws Exception {
        try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
             JavaWorker w = new JavaWorker(relayAddress(), 3)) {
            Map<String, Object> ok = w.login();
            assertEquals("auth_ok", ok.get("type"));
            w.join();
            byte[] data = new SeededEntropy(4).bytes(64 * 1024);
            assertArrayEquals(data, echo(w, host, data));
            int segment = (int) (long) (Long) ok.get("stream_mss");
            int overhead = w.largestFrameSent - segment; // header, stream header and GCM tag around a full segment
            assertTrue(overhead > 0 && overhead < 128, "largest frame " + w.largestFrameSent + " for segments of " + segment);
            return segment;
        }
    }

    @Test
    void unauthenticatedAndForgedConnectionsAreRefused() throws Exception {
        try (JavaWorker silent = new JavaWorker(relayAddress(), 3)) {
            silent.nextText(); // the challenge, then nothing: closed after the login timeout
            assertEquals(1008, silent.closed.get(5, TimeUnit.SECONDS));
        }
        try (JavaWorker early = new JavaWorker(relayAddress(), 4)) {
            early.ws.send(new byte[] {4, 127, 0, 0, 1, 0, 9, 'P', 'I', 'L', 'T'});
            assertEquals(1008, early.closed.get(5, TimeUnit.SECONDS), "binary before login");
        }
        try (JavaWorker forger = new JavaWorker(relayAddress(), 5);
             JavaWorker victim = new JavaWorker(relayAddress(), 6)) {
            // claims its key but signs with another one
            assertFalse("auth_ok".equals(forger.login(victim.key).get("type")));
            assertEquals(1008, forger.closed.get(5, TimeUnit.SECONDS));
        }
        assertTrue(relay.authRefused.get() >= 1);
    }

    @Test
    void aWorkerSpeaksOnlyForItselfAndOnlyToResolvedPeers() throws Exception {
        try (JavaWorker w = new JavaWorker(relayAddress(), 7); JavaWorker other = new JavaWorker(relayAddress(), 8);
             DatagramSocket target = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            w.login();
            other.login();
            other.join();
            // registering someone else's key is refused by the relay
            Map<String, Object> steal = registryRegister(w, other.keyB64);
            assertEquals("error", steal.get("type"));
            // heartbeat for another node id is refused
            Map<String, Object> hb = w.registry(Map.of("type", "heartbeat", "node_id", Integer.toUnsignedLong(other.nodeId), "signature", "x"));
            assertEquals("error", hb.get("type"));
            // not an open proxy: an endpoint nobody resolved gets nothing, nor does a non-Pilot payload
            w.join();
            long before = relay.dropped.get();
            byte[] frame = {'P', 'I', 'L', 'P'};
            w.ws.send(RelayProtocol.pack((InetSocketAddress) target.getLocalSocketAddress(), frame, 0, frame.length));
            w.ws.send(RelayProtocol.pack((InetSocketAddress) target.getLocalSocketAddress(), new byte[] {'G', 'E', 'T', ' '}, 0, 4));
            target.setSoTimeout(500);
            assertThrows(java.net.SocketTimeoutException.class, () -> target.receive(new DatagramPacket(new byte[64], 64)));
            for (int i = 0; i < 50 && relay.dropped.get() < before + 2; i++) {
                Thread.sleep(10);
            }
            assertEquals(before + 2, relay.dropped.get());
        }
    }

    static Map<String, Object> registryRegister(JavaWorker w, String key) throws InterruptedException {
        return w.registry(Map.of("type", "register", "public_key", key, "listen_addr", "127.0.0.1:1"));
    }

    static void assertThrows(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(type, e);
    }

    @Test
    void survivesAThousandConnectionsWithBoundedState() throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 1000; i++) {
            JavaWorker w = new JavaWorker(relayAddress(), 100 + i);
            if (i % 2 == 0) {
                w.login(); // half log in (and get a UDP socket), half just leave
            } else {
                w.nextText();
            }
            w.close();
        }
        for (int i = 0; i < 100 && relay.sessionCount() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, relay.sessionCount(), "every connection's state is gone");
        assertEquals(0, relay.queuedBytes());
        System.gc();
        long heapAfter = rt.totalMemory() - rt.freeMemory();
        assertTrue(heapAfter - heapBefore < 64L << 20, "heap grew by " + (heapAfter - heapBefore));
    }

    /**
     * The state Java-WebSocket's write race leaves a connection in (see {@link StalledWrites}): a frame queued, and the
     * selector's write interest already cleared, so it would never be written. Made here by queueing the frame as
     * {@code send} does but without its write demand. The relay finds it within {@link RelayServer#WRITE_REARM_MILLIS}.
     * Without that, the answer waited for whatever the relay sent next: forever for a Worker that asked nothing more.
     */
    @Test
    void aFrameJavaWebSocketLeftQueuedWithoutWriteInterestStillReachesTheWorker() throws Exception {
        try (JavaWorker w = new JavaWorker(relayAddress(), 7)) {
            assertEquals("auth_ok", w.login().get("type"));
            w.join(); // logged in and registered: nothing the relay does on its own would send to it for 90 s
            WebSocketImpl conn = (WebSocketImpl) relay.getConnections().iterator().next();
            SelectionKey key = conn.getSelectionKey();
            for (int i = 0; i < 200 && !(conn.outQueue.isEmpty() && (key.interestOps() & SelectionKey.OP_WRITE) == 0); i++) {
                Thread.sleep(10); // the selector finished writing the registry answers
            }
            assertFalse(StalledWrites.stalled(conn));
            for (var frame : conn.getDraft().createFrames("{\"type\":\"late\"}", false)) {
                conn.outQueue.put(conn.getDraft().createBinaryFrame(frame));
            }
            long before = relay.writesRearmed.get();
            assertEquals(Map.of("type", "late"), w.nextText(2000), "the queued answer reaches the Worker");
            for (int i = 0; i < 100 && relay.writesRearmed.get() == before; i++) {
                Thread.sleep(10); // counted just after the selector was asked to write
            }
            assertTrue(relay.writesRearmed.get() > before, "the relay found the stalled connection");
            assertFalse(StalledWrites.stalled(conn));
        }
    }

    @Test
    void rateLimitsAWorkerAndDropsIdleOnes() throws Exception {
        relay.shutdown();
        startRelay(new RelayLimits(64, 10_000, 1500, 1 << 20, 64L << 20, 20, 1024));
        try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
             JavaWorker w = new JavaWorker(relayAddress(), 300)) {
            w.login();
            w.join();
            int ping = w.node.ping(host.address(), w.now()).value();
            w.pump(1000); // resolves the host: now an allowed destination
            assertEquals(ping, w.eventsOf(NodeEvent.Pong.class).get(0).ping());
            long before = relay.dropped.get();
            var dest = host.localEndpoint();
            byte[] frame = {'P', 'I', 'L', 'P'};
            for (int i = 0; i < 200; i++) {
                w.ws.send(RelayProtocol.pack(new InetSocketAddress("127.0.0.1", dest.getPort()), frame, 0, frame.length));
            }
            for (int i = 0; i < 100 && relay.dropped.get() - before < 150; i++) {
                Thread.sleep(10);
            }
            assertTrue(relay.dropped.get() - before >= 150, "burst of 200 at 20/s: most dropped, " + (relay.dropped.get() - before));
            // then silence: the relay drops the idle connection after 1.5 s
            assertEquals(1001, w.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void refusesConnectionsBeyondItsLimit() throws Exception {
        relay.shutdown();
        startRelay(new RelayLimits(3, 10_000, 90_000, 1 << 20, 64L << 20, 5000, 1024));
        JavaWorker[] kept = new JavaWorker[3];
        for (int i = 0; i < 3; i++) {
            kept[i] = new JavaWorker(relayAddress(), 200 + i);
            kept[i].nextText();
        }
        try (JavaWorker extra = new JavaWorker(relayAddress(), 210)) {
            assertEquals(1013, extra.closed.get(5, TimeUnit.SECONDS));
        }
        for (JavaWorker w : kept) {
            w.close();
        }
    }
}
