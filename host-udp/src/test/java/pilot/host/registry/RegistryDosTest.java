package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.edge.SignedTexts;

/** Denial-of-service probes against a running registry on loopback (issue 15's attacker report, items 3, 4 and 7). */
class RegistryDosTest {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    RegistryServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    SigningKey key(long seed) {
        return suite.ed25519(new SeededEntropy(seed).bytes(32));
    }

    /**
     * Report item 4: connections that pipeline look-ups of a node with a long hostname and never read
     * their answers leave every server thread blocked in a write. Those connections must neither lock
     * an honest client out (a connection stuck in a write is evictable) nor hold their slot for the
     * idle timeout (a write blocked longer than {@link RegistryLimits#writeTimeoutMillis} is closed).
     */
    @Test
    void connectionsThatNeverReadTheirAnswersLockNobodyOutAndAreClosedSoon() throws Exception {
        RegistryLimits limits = RegistryLimits.DEFAULTS.withMaxConnections(32);
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null, limits);
        RegistryClient honest = new RegistryClient(server.address(), 3000);
        SigningKey a = key(1);
        int id = honest.register("127.0.0.1:4001", a.publicKey(), "h".repeat(253)).nodeId();
        byte[] body = ("{\"type\":\"lookup\",\"node_id\":" + id + "}").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer one = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body);
        ByteBuffer pipeline = ByteBuffer.allocate(one.capacity() * 20_000);
        for (int i = 0; i < 20_000; i++) {
            pipeline.put(one.array());
        }
        List<SocketChannel> attackers = new ArrayList<>();
        List<ByteBuffer> pending = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            // two source addresses, each up to its per-address share: together they fill the table
            for (String ip : List.of("127.0.0.2", "127.0.0.3")) {
                for (int i = 0; i < limits.maxConnectionsPerIp(); i++) {
                    SocketChannel c = SocketChannel.open();
                    c.setOption(StandardSocketOptions.SO_RCVBUF, 2048);
                    c.bind(new InetSocketAddress(ip, 0));
                    c.connect(server.address());
                    c.configureBlocking(false);
                    attackers.add(c);
                    pending.add(pipeline.duplicate().flip());
                }
            }
            pipelining(attackers, pending, stop);
            Thread.sleep(1000); // every attacking connection's answers have filled its socket buffers by now
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(a.publicKey(), honest.lookup(id).publicKey(), "honest lookup " + i + " beside the stuck writers");
                Thread.sleep(100);
            }
            long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waitedMillis < 5_000, "honest lookups took " + waitedMillis + " ms");
            assertTrue(server.evictions() > 0, "the honest connections took the places of stuck writers");
            // the stuck writers do not hold their slots until the 30 s idle timeout
            long deadline = System.nanoTime() + (limits.writeTimeoutMillis() + 3_000) * 1_000_000L;
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(server.openConnections() == 0, "still open after the write timeout: " + server.openConnections());
        } finally {
            stop.set(true);
            for (SocketChannel c : attackers) {
                c.close();
            }
        }
    }

    /**
     * Report item 7: a stranger registered the owner's key first, unsigned, with its own hostname. The
     * owner's signed register states the whole entry, hostname included (none clears it); an unsigned
     * register, or a replay of a signed one, still renames nothing.
     */
    @Test
    void theKeysOwnerSetsItsHostnameBySigningAndStrangersCannot() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null, RegistryLimits.DEFAULTS, clock::get,
                RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        RegistryClient client = new RegistryClient(server.address(), 3000);
        SigningKey owner = key(2);
        String k = b64(owner.publicKey());
        Map<String, Object> squat = RegistryHardeningTest.register(k, "127.0.0.1:6666");
        squat.put("hostname", "attacker-owned-name");
        Map<String, Object> first = from("127.0.0.2", squat);
        assertEquals("register_ok", first.get("type"), first.toString());
        int id = (int) (long) (Long) first.get("node_id");
        // the owner starts: its host signs its register and names no hostname
        Map<String, Object> signed = signedRegister(owner, k, "127.0.0.1:4001", clock.get(), null);
        assertEquals("register_ok", client.raw(signed).get("type"));
        assertEquals(null, hostname(client, id), "the owner's signed register replaced the stranger's hostname");
        clock.addAndGet(1000);
        assertEquals("register_ok", client.raw(signedRegister(owner, k, "127.0.0.1:4001", clock.get(), "owner")).get("type"));
        assertEquals("owner", hostname(client, id), "the owner renames its node without moving it");
        // an unsigned register at the same address changes nothing, hostname included
        Map<String, Object> unsigned = RegistryHardeningTest.register(k, "127.0.0.1:4001");
        unsigned.put("hostname", "evil");
        assertEquals("register_ok", client.raw(unsigned).get("type"));
        assertEquals("owner", hostname(client, id), "an unsigned register renamed the node");
        // nor does the owner's signed register replayed (its timestamp is not newer) with another hostname
        Map<String, Object> replay = signedRegister(owner, k, "127.0.0.1:4001", clock.get(), "evil");
        client.raw(replay);
        assertEquals("owner", hostname(client, id), "a replayed signed register renamed the node");
        // a signed move carries the hostname too
        clock.addAndGet(1000);
        assertEquals("register_ok", from("127.0.0.3", signedRegister(owner, k, "127.0.0.3:4002", clock.get(), "moved")).get("type"));
        assertEquals("moved", hostname(client, id));
    }

    /**
     * Report item 3: open registration filled the table with junk keys for good. When it is full, a new
     * key takes the place of a node that never proved its key within the unproven TTL, else of one silent
     * for the silent TTL; a node that proved its key recently is never replaced; removals are stored.
     */
    @Test
    void junkThatNeverProvedItsKeyAgesOutOfAFullTableAndLiveNodesStay(@TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        RegistryLimits limits = RegistryLimits.DEFAULTS.withMaxNodes(12).withNewKeysPerIpPerSecond(1_000).withNodeTtls(60_000, 600_000);
        Path store = dir.resolve("registry.json");
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, store, limits, clock::get, RegistryStore.FSYNC,
                GroupCommit.COMPACT_AFTER_RECORDS);
        RegistryClient client = new RegistryClient(server.address(), 3000);
        SigningKey live = key(10);
        int liveId = client.register("127.0.0.1:4001", live.publicKey(), null).nodeId(); // unsigned, as a reference daemon...
        client.heartbeat(liveId, live::sign); // ...which proves its key with its heartbeats
        SigningKey signer = key(11);
        int signedId = client.register("127.0.0.1:4002", signer.publicKey(), null, signer::sign, clock.get()).nodeId();
        List<Integer> junk = new ArrayList<>();
        for (int i = 0; i < limits.maxNodes() - 2; i++) {
            junk.add(client.register("127.0.0.1:5000", key(100 + i).publicKey(), null).nodeId());
        }
        assertFull(client, key(200));
        clock.addAndGet(limits.unprovenNodeTtlMillis() - 1);
        assertFull(client, key(200)); // the junk is not old enough yet
        clock.addAndGet(1);
        client.heartbeat(liveId, live::sign);
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < junk.size(); i++) {
            fresh.add(client.register("127.0.0.1:4100", key(200 + i).publicKey(), null).nodeId());
        }
        assertFull(client, key(300)); // the new keys are young, and everyone else proved its key
        assertTrue(fresh.get(0) > junk.get(junk.size() - 1), "a reclaimed id is not given out again");
        for (int id : junk) {
            assertUnknown(client, id);
        }
        assertArrayEquals(live.publicKey(), client.lookup(liveId).publicKey());
        assertArrayEquals(signer.publicKey(), client.lookup(signedId).publicKey());

        // a restart neither brings the junk back nor loses a node
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, store, limits, clock::get, RegistryStore.FSYNC,
                GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        for (int id : junk) {
            assertUnknown(client, id);
        }
        for (int i = 0; i < fresh.size(); i++) {
            assertArrayEquals(key(200 + i).publicKey(), client.lookup(fresh.get(i)).publicKey());
        }

        // a node that proved its key but has been silent for the silent TTL is the next to go; live ones stay
        clock.addAndGet(limits.silentNodeTtlMillis());
        client.heartbeat(liveId, live::sign);
        for (int i = 0; i < fresh.size(); i++) {
            client.heartbeat(fresh.get(i), key(200 + i)::sign);
        }
        int newest = client.register("127.0.0.1:4200", key(300).publicKey(), null).nodeId();
        assertUnknown(client, signedId);
        assertFull(client, key(301));
        assertArrayEquals(live.publicKey(), client.lookup(liveId).publicKey());
        assertArrayEquals(key(300).publicKey(), client.lookup(newest).publicKey());
    }

    @Test
    void youngJunkNeverDisplacesANodeThatProvedItsKeyEvenAnHourSilentOne(@TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        RegistryLimits limits = RegistryLimits.DEFAULTS.withMaxNodes(6).withNewKeysPerIpPerSecond(1_000).withNodeTtls(60_000, 600_000);
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"), limits, clock::get,
                RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        RegistryClient client = new RegistryClient(server.address(), 3000);
        SigningKey laptop = key(20); // proved its key, then went offline for longer than the silent TTL
        int laptopId = client.register("127.0.0.1:4001", laptop.publicKey(), null, laptop::sign, clock.get()).nodeId();
        clock.addAndGet(limits.silentNodeTtlMillis());
        for (int i = 0; i < limits.maxNodes() - 1; i++) {
            client.register("127.0.0.1:5000", key(400 + i).publicKey(), null); // junk, younger than the unproven TTL
        }
        // before (review, Nov 30): the young junk's next key took the silent laptop's place, and its id was gone for good
        assertFull(client, key(500));
        assertArrayEquals(laptop.publicKey(), client.lookup(laptopId).publicKey());
        clock.addAndGet(limits.unprovenNodeTtlMillis());
        int next = client.register("127.0.0.1:5001", key(501).publicKey(), null).nodeId(); // the oldest junk goes first
        assertArrayEquals(key(501).publicKey(), client.lookup(next).publicKey());
        assertArrayEquals(laptop.publicKey(), client.lookup(laptopId).publicKey());
    }

    /** A reclaimed node is a tombstone in the log; folded into the snapshot it leaves the next id behind, never the node. */
    @Test
    void aRemovalIsStoredAndItsIdIsNeverGivenOutAgainAfterARestart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("registry.json");
        NodeRecord a = new NodeRecord(16, b64(key(1).publicKey()), "127.0.0.1:1", false, null, 0, 1, false);
        NodeRecord b = new NodeRecord(17, b64(key(2).publicKey()), "127.0.0.1:2", false, null, 0, 2, false);
        Map<Integer, NodeRecord> read = RegistryStore.newMap();
        try (RegistryStore s = RegistryStore.open(file, RegistryStore.FSYNC, read)) {
            s.append(List.of(a, b, b.removal(3)));
        }
        for (int start = 0; start < 2; start++) { // from the log, then from the snapshot that start wrote
            read = RegistryStore.newMap();
            try (RegistryStore s = RegistryStore.open(file, RegistryStore.FSYNC, read)) {
                assertEquals(List.of(16), List.copyOf(read.keySet()), "start " + start);
                assertEquals(18, s.nextId(), "start " + start + ": node 17's id stays taken");
            }
        }
        NodeTable table = new NodeTable(suite, RegistryLimits.DEFAULTS);
        table.load(read.values(), 18, 0);
        Map<String, Object> r = table.handle(RegistryHardeningTest.register(b64(key(3).publicKey()), "127.0.0.1:3"),
                java.net.InetAddress.getLoopbackAddress(), 1_800_000_000_000L).reply();
        assertEquals(18L, r.get("node_id"), r.toString());
    }

    /**
     * Report item 3, IPv6: one /48 holds 65,536 /64s, each a source of its own; the new-key budget is
     * also counted per /48. Addresses are literals handed to the table, so nothing is sent anywhere.
     */
    @Test
    void newKeysFromManySlash64sOfOneSlash48ShareOneBudget() throws IOException {
        NodeTable table = new NodeTable(suite, RegistryLimits.DEFAULTS);
        long now = 1_800_000_000_000L;
        int accepted = 0;
        for (int i = 0; i < 3 * RegistryLimits.DEFAULTS.newKeysPerIpPerSecond(); i++) {
            java.net.InetAddress peer = java.net.InetAddress.getByName("2001:db8:7:" + Integer.toHexString(i) + "::1");
            Map<String, Object> r = table.handle(RegistryHardeningTest.register(b64(key(500 + i).publicKey()), "[::1]:4000"), peer, now).reply();
            accepted += "register_ok".equals(r.get("type")) ? 1 : 0;
        }
        assertEquals(RegistryLimits.DEFAULTS.newKeysPerIpPerSecond(), accepted, "new keys in one second from one /48");
        Map<String, Object> other = table.handle(RegistryHardeningTest.register(b64(key(600).publicKey()), "[::1]:4000"),
                java.net.InetAddress.getByName("2001:db8:8::1"), now).reply();
        assertEquals("register_ok", other.get("type"), "another /48 has its own budget: " + other);
    }

    static void assertFull(RegistryClient client, SigningKey k) throws IOException {
        Map<String, Object> r = client.raw(RegistryHardeningTest.register(b64(k.publicKey()), "127.0.0.1:4999"));
        assertTrue(String.valueOf(r.get("error")).contains("full"), "not refused as full: " + r);
    }

    static void assertUnknown(RegistryClient client, int id) throws IOException {
        Map<String, Object> lookup = new LinkedHashMap<>();
        lookup.put("type", "lookup");
        lookup.put("node_id", (long) id);
        Map<String, Object> r = client.raw(lookup);
        assertTrue(String.valueOf(r.get("error")).contains("unknown node"), "node " + id + " is still there: " + r);
    }

    static String hostname(RegistryClient client, int id) throws IOException {
        Map<String, Object> lookup = new LinkedHashMap<>();
        lookup.put("type", "lookup");
        lookup.put("node_id", (long) id);
        Map<String, Object> r = client.raw(lookup);
        assertEquals("lookup_ok", r.get("type"), r.toString());
        return (String) r.get("hostname");
    }

    static Map<String, Object> signedRegister(SigningKey signer, String key, String listen, long stamp, String hostname) {
        Map<String, Object> m = RegistryHardeningTest.register(key, listen);
        m.put("timestamp", stamp);
        m.put("signature", b64(signer.sign(SignedTexts.ascii(SignedTexts.register(key, listen, stamp)))));
        if (hostname != null) {
            m.put("hostname", hostname);
        }
        return m;
    }

    Map<String, Object> from(String localIp, Map<String, Object> request) throws IOException {
        return RegistryHardeningTest.from(server.address(), localIp, request);
    }

    static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }

    /**
     * Starts the attacker's writer: each connection's pipelined look-ups go out as its socket takes them, and a
     * connection the registry closed stops counting (its rest is skipped). A daemon thread, until {@code stop}.
     */
    static Thread pipelining(List<SocketChannel> attackers, List<ByteBuffer> pending, AtomicBoolean stop) {
        Thread writer = new Thread(() -> {
            while (!stop.get()) {
                for (int i = 0; i < attackers.size(); i++) {
                    try {
                        attackers.get(i).write(pending.get(i));
                    } catch (IOException closedByTheServer) {
                        pending.get(i).position(pending.get(i).limit());
                    }
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "pipelining-attacker");
        writer.setDaemon(true);
        writer.start();
        return writer;
    }
}
