package pilot.host.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The admin listener's own rules: read-only, and a bounded number of requests handled at once. */
class AdminServerTest {
    @Test
    void manyConcurrentRequestsAreAllAnsweredButAtMostThreadsPlusOneAtOnce() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), new PrometheusRegistry(), () -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return true;
        })) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/healthz");
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            int n = 2 * (AdminServer.THREADS + AdminServer.QUEUE) + 8; // past the queue: the accepting thread steps in
            for (int i = 0; i < n; i++) {
                all.add(http.sendAsync(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : all) {
                assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
            }
            assertTrue(most.get() <= AdminServer.THREADS + 1, "at once: " + most.get());

            AdminClient client = new AdminClient(admin.address());
            assertEquals(404, client.get("/").statusCode());
            var post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void healthzAddsTheServicesPublicFactsAfterItsStatus() throws Exception {
        try (AdminServer admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), new PrometheusRegistry(), () -> true,
                () -> "relay_key AAAA\n")) {
            var r = new AdminClient(admin.address()).get("/healthz");
            assertEquals(200, r.statusCode());
            assertEquals("ok\nrelay_key AAAA\n", r.body());
        }
    }
}
