package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(localIp, 0));
            s.connect(server.address(), 3000);
            s.setSoTimeout(3000);
            RegistryWire.write(s.getOutputStream(), request);
            return RegistryWire.read(s.getInputStream());
        }
    }

    static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }
}
