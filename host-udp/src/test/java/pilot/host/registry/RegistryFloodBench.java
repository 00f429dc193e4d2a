package pilot.host.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;

/**
 * Measurement, not a test (run with {@code -Dpilot.bench=true}): an honest client's lookup latency
 * while 8 clients register fresh keys as fast as they can, against a registry whose store file already
 * holds 20,000 nodes (written directly, in the store format every version reads).
 * Prints the figures quoted in docs/BENCHMARKS.md.
 */
@EnabledIfSystemProperty(named = "pilot.bench", matches = "true")
class RegistryFloodBench {
    @TempDir
    Path dir;

    @Test
    void lookupLatencyDuringARegistrationFlood() throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        StringBuilder nodes = new StringBuilder("{\"nodes\":[");
        SeededEntropy keys = new SeededEntropy(7);
        for (int i = 0; i < 20_000; i++) {
            nodes.append(i == 0 ? "" : ",").append("{\"node_id\":").append(100_000 + i).append(",\"public_key\":\"")
                    .append(java.util.Base64.getEncoder().encodeToString(keys.bytes(32)))
                    .append("\",\"real_addr\":\"127.0.0.1:7000\",\"public\":true,\"hostname\":null}");
        }
        java.nio.file.Files.writeString(dir.resolve("registry.json"), nodes.append("]}"));
        // the per-IP limit on new keys is lifted: every client here is 127.0.0.1, and the point is the disk
        try (RegistryServer server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"),
                RegistryLimits.DEFAULTS.withNewKeysPerIpPerSecond(1_000_000))) {
            RegistryClient client = new RegistryClient(server.address(), 10_000);
            int id = client.register("127.0.0.1:4001", suite.ed25519(new SeededEntropy(1).bytes(32)).publicKey(), null).nodeId();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong registered = new AtomicLong();
            List<Thread> flood = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < 8; t++) {
                int seed = 1000 + t;
                Thread th = new Thread(() -> {
                    SeededEntropy e = new SeededEntropy(seed);
                    RegistryClient c = new RegistryClient(server.address(), 10_000);
                    while (!stop.get()) {
                        byte[] key = e.bytes(32); // any 32 bytes register: first registration is open
                        try {
                            c.register("127.0.0.1:5000", key, null);
                            registered.incrementAndGet();
                        } catch (IOException ex) {
                            // counted by its absence
                        }
                    }
                });
                th.start();
                flood.add(th);
            }
            Thread.sleep(500);
            long[] lat = new long[300];
            for (int i = 0; i < lat.length; i++) {
                long t0 = System.nanoTime();
                client.lookup(id);
                lat[i] = System.nanoTime() - t0;
                Thread.sleep(10);
            }
            stop.set(true);
            long floodMillis = (System.nanoTime() - start) / 1_000_000;
            for (Thread th : flood) {
                th.join();
            }
            Arrays.sort(lat);
            System.out.printf("REGISTRY-BENCH lookups during flood: p50 %.2f ms, p99 %.2f ms, max %.2f ms; registrations %d in %d ms (~%d/s)%n",
                    lat[lat.length / 2] / 1e6, lat[lat.length * 99 / 100] / 1e6, lat[lat.length - 1] / 1e6, registered.get(), floodMillis,
                    registered.get() * 1000 / Math.max(1, floodMillis));
        }
    }
}
