package pilot.host.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP listener, apart from the service's own port: {@code GET /healthz} (200 "ok", or 503
 * "unhealthy") and {@code GET /metrics} (Prometheus text format 0.0.4 from a {@link PrometheusRegistry}).
 * It binds where it is told, loopback unless the operator chooses otherwise, and is meant for a
 * scraper on a trusted network: it has no authentication, and answers nothing but those two read-only
 * pages (it changes no state). One worker thread and a short request queue bound what clients can cost
 * ({@link #THREADS}, {@link #QUEUE}, {@link #BACKLOG}); a client that reaches it can still keep it busy,
 * which is why it is off by default and binds to loopback unless told otherwise.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Threads answering requests: scrapes are rare and cheap, so one is enough and bounds the CPU. */
    public static final int THREADS = 1;
    /**
     * Requests waiting for that thread; beyond, the accepting thread answers the next one itself and
     * accepts nothing meanwhile, so further clients wait in the kernel's backlog: at most
     * {@code THREADS + 1} requests are handled at once, and none is dropped unanswered.
     */
    public static final int QUEUE = 16;
    /** TCP connections waiting to be accepted (the listen backlog). */
    public static final int BACKLOG = 16;
    public static final String HEALTH_PATH = "/healthz";
    public static final String METRICS_PATH = "/metrics";

    private final HttpServer http;
    private final ExecutorService workers;
    private final PrometheusRegistry registry;
    private final BooleanSupplier healthy;
    /** Lines after "ok" on {@code /healthz} (e.g. the relay's public key), or "". */
    private final java.util.function.Supplier<String> healthDetail;
    private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();

    /**
     * Binds at once (port 0: any free port) and starts answering.
     *
     * @param healthy what {@code /healthz} reports: the service is up and doing its work
     */
    public AdminServer(InetSocketAddress bind, PrometheusRegistry registry, BooleanSupplier healthy) throws IOException {
        this(bind, registry, healthy, () -> "");
    }

    /** @param healthDetail lines {@code /healthz} adds after its status line (public facts only: no authentication) */
    public AdminServer(InetSocketAddress bind, PrometheusRegistry registry, BooleanSupplier healthy,
                       java.util.function.Supplier<String> healthDetail) throws IOException {
        this.registry = registry;
        this.healthy = healthy;
        this.healthDetail = healthDetail;
        this.http = HttpServer.create(bind, BACKLOG);
        this.workers = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "pilot-admin");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        http.setExecutor(workers);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("admin listening on http://{} ({}, {})", pilot.host.log.AddressText.of(address()), HEALTH_PATH,
                METRICS_PATH);
    }

    /** The address it listens on (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                reply(ex, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals(HEALTH_PATH)) {
                boolean ok = healthy.getAsBoolean();
                reply(ex, ok ? 200 : 503, "text/plain; charset=utf-8",
                        ((ok ? "ok\n" : "unhealthy\n") + healthDetail.get()).getBytes(StandardCharsets.UTF_8));
            } else if (path.equals(METRICS_PATH)) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                text.write(body, registry.scrape());
                reply(ex, 200, text.getContentType(), body.toByteArray());
            } else {
                reply(ex, 404, "text/plain; charset=utf-8",
                        ("not found; try " + HEALTH_PATH + " or " + METRICS_PATH + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("admin request failed: {}", e.toString()); // the client went away, or a collector failed
        }
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
    }
}
