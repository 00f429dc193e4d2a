package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pilot.host.metrics.AdminClient.value;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.node.NodeEvent;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.metrics.AdminClient;
import pilot.host.metrics.AdminServer;
import pilot.host.metrics.RelayMetrics;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

/** The relay's /healthz and /metrics over loopback, while a Worker logs in, pings a host and sends junk. */
class RelayMetricsTest {
    @TempDir
    Path dir;

    @Test
    void healthAndMetricsAnswerOverLoopbackAndMoveWithTraffic() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()))) {
            RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                    new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(),
                    RelayLimits.DEFAULTS);
            relay.start();
            assertTrue(relay.awaitStarted(5000));
            PrometheusRegistry metrics = new PrometheusRegistry();
            RelayMetrics.register(metrics, relay);
            try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), metrics, relay::healthy)) {
                AdminClient client = new AdminClient(admin.address());
                var health = client.get("/healthz");
                assertEquals(200, health.statusCode());
                assertEquals("ok\n", health.body());
                assertEquals(404, client.get("/other").statusCode());

                String before = client.metrics();
                // docs/SECURITY.md "metric series" states this number: 20 metrics, 3 connection states, 3 login outcomes,
                // 2 directions for frames and bytes, 2 directions x 12 drop reasons for drops
                long series = before.lines().filter(l -> l.startsWith("pilot_relay_")).count();
                assertEquals(15 + 3 + 3 + 2 * 2 + 2L * RelayCounters.DropReason.values().length, series, before);
                assertEquals(49, series, "the number docs/SECURITY.md and docs/DEPLOY.md state");
                assertEquals(0, value(before, "pilot_relay_logins_total{outcome=\"provisional\"}"));
                assertEquals(0, value(before, "pilot_relay_frames_total{direction=\"out\"}"));
                assertEquals(0, value(before, "pilot_relay_connections{state=\"ready\"}"));
                assertEquals(0, value(before, "pilot_relay_drops_total{direction=\"out\",reason=\"not_a_pilot_frame\"}"));
                for (String name : new String[] {"pilot_relay_frame_bytes_total{direction=\"in\"}", "pilot_relay_queued_bytes",
                    "pilot_relay_queued_bytes_max_worker", "pilot_relay_registry_queue_depth", "pilot_relay_tcp_sockets",
                    "pilot_relay_connections_opened_total", "pilot_relay_provisional_logins"}) {
                    assertEquals(0, value(before, name), name);
                }

                try (JavaWorker w = new JavaWorker(new InetSocketAddress("127.0.0.1", relay.getPort()), 7)) {
                    assertEquals("auth_ok", w.login().get("type"));
                    w.join();
                    int ping = w.node.ping(host.address(), w.now()).value();
                    for (int i = 0; i < 200 && w.eventsOf(NodeEvent.Pong.class).stream().noneMatch(e -> e.ping() == ping); i++) {
                        w.pump(20);
                    }
                    assertTrue(w.eventsOf(NodeEvent.Pong.class).stream().anyMatch(e -> e.ping() == ping), "pong");
                    // a message whose frame is no Pilot frame: dropped, by reason
                    byte[] junk = RelayProtocol.pack(host.localEndpoint(), new byte[] {'J', 'U', 'N', 'K', 1, 2, 3}, 0, 7);
                    w.sendRaw(junk);

                    String after = waitFor(client, "pilot_relay_drops_total{direction=\"out\",reason=\"not_a_pilot_frame\"}");
                    assertEquals(1, value(after, "pilot_relay_logins_total{outcome=\"provisional\"}"), after);
                    assertEquals(0, value(after, "pilot_relay_logins_total{outcome=\"refused\"}"));
                    assertEquals(1, value(after, "pilot_relay_connections{state=\"ready\"}"));
                    assertEquals(1, value(after, "pilot_relay_connections_opened_total"));
                    assertEquals(1, value(after, "pilot_relay_tcp_sockets"));
                    // the handshake and the ping each way: frames and their bytes, as the relay's own counters say
                    assertTrue(value(after, "pilot_relay_frames_total{direction=\"out\"}") >= 2, after);
                    assertTrue(value(after, "pilot_relay_frames_total{direction=\"in\"}") >= 2, after);
                    assertEquals(relay.bytesOut.get(), value(after, "pilot_relay_frame_bytes_total{direction=\"out\"}"));
                    assertEquals(relay.counters().bytes(RelayCounters.Direction.IN),
                            value(after, "pilot_relay_frame_bytes_total{direction=\"in\"}"));
                    assertTrue(value(after, "pilot_relay_frame_bytes_total{direction=\"out\"}") > 100);
                    assertEquals(1, value(after, "pilot_relay_drops_total{direction=\"out\",reason=\"not_a_pilot_frame\"}"));
                }
                relay.shutdown();
                var down = client.get("/healthz");
                assertEquals(503, down.statusCode());
                assertEquals("unhealthy\n", down.body());
            } finally {
                if (relay.healthy()) {
                    relay.shutdown();
                }
            }
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerIsCountedForTheOperator() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: nothing listens there
        }
        RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(new InetSocketAddress("127.0.0.1", dead), 2000), new BouncyCastleSuite(),
                new SecureEntropy(), RelayLimits.DEFAULTS);
        relay.start();
        assertTrue(relay.awaitStarted(5000));
        PrometheusRegistry metrics = new PrometheusRegistry();
        RelayMetrics.register(metrics, relay);
        try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), metrics, relay::healthy);
             JavaWorker w = new JavaWorker(new InetSocketAddress("127.0.0.1", relay.getPort()), 7)) {
            AdminClient client = new AdminClient(admin.address());
            assertEquals(0, value(client.metrics(), "pilot_relay_registry_failures_total"));
            assertEquals("auth_ok", w.login().get("type"));
            java.util.Map<String, Object> reg = new java.util.LinkedHashMap<>();
            reg.put("type", "register");
            reg.put("public_key", w.keyB64);
            reg.put("listen_addr", "ignored:1");
            java.util.Map<String, Object> answer = w.registry(reg);
            // the Worker hears why; before, only it did: the relay logged nothing and counted nothing
            assertEquals("error", answer.get("type"), answer.toString());
            assertTrue(String.valueOf(answer.get("error")).contains("registry 127.0.0.1:" + dead + " refused the connection"),
                    answer.toString());
            String after = waitFor(client, "pilot_relay_registry_failures_total");
            assertEquals(1, value(after, "pilot_relay_registry_failures_total"), after);
        } finally {
            relay.shutdown();
        }
    }

    /** Scrapes until {@code series} is at least 1 (the relay handles a message on its own thread). */
    static String waitFor(AdminClient client, String series) throws Exception {
        for (int i = 0; i < 100; i++) {
            String text = client.metrics();
            if (value(text, series) >= 1) {
                return text;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new AssertionError(series + " never moved");
    }
}
