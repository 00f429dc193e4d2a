package pilot.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pilot.host.metrics.AdminClient.value;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryServer;

/** A host's /healthz and /metrics (what {@code pilot-host run --admin} serves) over loopback. */
class HostMetricsTest {
    @TempDir
    Path dir;

    @Test
    void healthAndMetricsOfARunningHostMoveWithPingsAndJunk() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon b = HostDaemon.start(HostConfig.loopback(dir.resolve("b.json"), registry.address()))) {
            HostDaemon a = HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), registry.address()));
            PrometheusRegistry metrics = new PrometheusRegistry();
            HostMetrics.register(metrics, a);
            try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), metrics, a::healthy)) {
                AdminClient client = new AdminClient(admin.address());
                assertEquals(200, client.get("/healthz").statusCode());
                String before = client.metrics();
                assertEquals(1, value(before, "pilot_host_up"));
                assertEquals(0, value(before, "pilot_host_sessions"));
                assertEquals(0, value(before, "pilot_host_packets_total{direction=\"in\"}"));
                assertEquals(0, value(before, "pilot_host_drops_total{reason=\"bad_magic\"}"));
                assertEquals(0, value(before, "pilot_host_streams_active"));

                assertTrue(a.ping(b.address()).get(10, TimeUnit.SECONDS) >= 0);
                try (DatagramSocket junk = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    byte[] bytes = "JUNKJUNKJUNK".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    junk.send(new DatagramPacket(bytes, bytes.length, a.localEndpoint()));
                }
                String after = "";
                for (int i = 0; i < 100 && !(value(after, "pilot_host_drops_total{reason=\"bad_magic\"}") >= 1); i++) {
                    after = client.metrics();
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertEquals(1, value(after, "pilot_host_drops_total{reason=\"bad_magic\"}"), after);
                assertEquals(1, value(after, "pilot_host_sessions"));
                assertEquals(1, value(after, "pilot_host_peers"));
                assertTrue(value(after, "pilot_host_packets_total{direction=\"in\"}") >= 1, after);
                assertTrue(value(after, "pilot_host_packets_total{direction=\"out\"}") >= 1, after);

                a.close();
                assertEquals(503, client.get("/healthz").statusCode());
                assertEquals(0, value(client.metrics(), "pilot_host_up"));
            } finally {
                a.close();
            }
        }
    }
}
