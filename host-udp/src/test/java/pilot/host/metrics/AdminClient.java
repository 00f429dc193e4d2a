package pilot.host.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scraper for tests: GETs over loopback and reads one series' value from the text format. */
public final class AdminClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final InetSocketAddress admin;

    public AdminClient(InetSocketAddress admin) {
        this.admin = admin;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of {@code GET /metrics}, after checking its status and content type. */
    public String metrics() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/metrics");
        if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("/metrics answered " + r.statusCode() + " " + r.headers().map());
        }
        return r.body();
    }

    /**
     * The value of {@code series} (a name with its labels exactly as exposed, e.g.
     * {@code pilot_relay_frames_total{direction="out"}}), or NaN when the text has no such line.
     */
    public static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
