package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;

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

    static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }
}
