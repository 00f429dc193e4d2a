package pilot.host.registry;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;

/**
 * Measurement, not a test (run with {@code -Dpilot.bench=true}): the attacker probe's item 4 at full
 * scale against a registry with default limits. 16 loopback addresses × 16 connections, each with a
 * 2 KB receive buffer, pipeline 20,000 look-ups of a node with a 253-character hostname and read
 * nothing; an honest client looks up every 100 ms for 10 s beside them. Uses only the public API, so it
 * runs against older versions too. Prints the figures quoted in docs/BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "pilot.bench", matches = "true")
class RegistryStuckWriterBench {
    @Test
    void honestLookupsBesideConnectionsThatNeverRead() throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        try (RegistryServer server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null)) {
            RegistryClient honest = new RegistryClient(server.address(), 3000);
            int id = honest.register("127.0.0.1:4001", suite.ed25519(new SeededEntropy(1).bytes(32)).publicKey(), "h".repeat(253)).nodeId();
            byte[] body = ("{\"type\":\"lookup\",\"node_id\":" + id + "}").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer pipeline = ByteBuffer.allocate((4 + body.length) * 20_000);
            for (int i = 0; i < 20_000; i++) {
                pipeline.putInt(body.length).put(body);
            }
            List<SocketChannel> attackers = new ArrayList<>();
            List<ByteBuffer> pending = new ArrayList<>();
            for (int ip = 2; ip < 18; ip++) {
                for (int i = 0; i < 16; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.setOption(StandardSocketOptions.SO_RCVBUF, 2048);
                    c.bind(new InetSocketAddress("127.0.0." + ip, 0));
                    c.connect(server.address());
                    c.configureBlocking(false);
                    attackers.add(c);
                    pending.add(pipeline.duplicate().flip());
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            RegistryDosTest.pipelining(attackers, pending, stop);
            try {
                Thread.sleep(2000);
                Process ss = new ProcessBuilder("sh", "-c", "ss -tnH state established '( sport = :" + server.address().getPort()
                        + " )' | awk '{n++; q+=$2} END {printf \"%d sockets, %d bytes unsent, %d per socket\", n, q, n ? q/n : 0}'")
                        .redirectErrorStream(true).start();
                System.out.println("after 2 s, the registry's side: " + new String(ss.getInputStream().readAllBytes()).trim());
                int ok = 0;
                int failed = 0;
                long worst = 0;
                long end = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        honest.lookup(id);
                        ok++;
                        worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
                    } catch (java.io.IOException e) {
                        failed++;
                    }
                    Thread.sleep(100);
                }
                System.out.printf("honest look-ups over 10 s: %d answered, %d failed, slowest answered %d ms; connections open at the end: %d%n",
                        ok, failed, worst, server.openConnections());
            } finally {
                stop.set(true);
                for (SocketChannel c : attackers) {
                    c.close();
                }
            }
        }
    }
}
