package pilot.host.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pilot.core.ErrorCode;
import pilot.host.daemon.HostDaemon;
import pilot.host.daemon.HostStats;

/**
 * A host peer's metrics ({@code pilot-host run}): one {@link HostDaemon#snapshot()} per scrape, so every
 * figure comes from the same moment of the node, read on its event loop (the node is never touched from
 * the scraping thread). A loop that does not answer within {@link #SCRAPE_TIMEOUT_MILLIS} yields only
 * {@code pilot_host_up 0}.
 */
public final class HostMetrics implements MultiCollector {
    /** How long a scrape waits for the event loop. */
    public static final long SCRAPE_TIMEOUT_MILLIS = 2_000;

    private final HostDaemon host;

    private HostMetrics(HostDaemon host) {
        this.host = host;
    }

    /** Registers {@code host}'s metrics in {@code registry}. */
    public static void register(PrometheusRegistry registry, HostDaemon host) {
        registry.register(new HostMetrics(host));
    }

    @Override
    public MetricSnapshots collect() {
        HostStats s;
        try {
            s = host.snapshot().get(SCRAPE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return MetricSnapshots.of(gauge("pilot_host_up", "1 when the event loop answered this scrape", 0));
        } catch (ExecutionException | TimeoutException e) {
            return MetricSnapshots.of(gauge("pilot_host_up", "1 when the event loop answered this scrape", 0));
        }
        List<MetricSnapshot> m = new ArrayList<>();
        m.add(gauge("pilot_host_up", "1 when the event loop answered this scrape", 1));
        m.add(gauge("pilot_host_peers", "Peers the node holds a link for, with or without a session", s.peers()));
        m.add(gauge("pilot_host_sessions", "Peers with an installed session (keys agreed)", s.sessions()));
        m.add(gauge("pilot_host_handshakes_half_open", "Key exchanges started and not finished", s.halfOpen()));
        m.add(gauge("pilot_host_streams", "Streams in the node's table, lingering ones included", s.streams()));
        m.add(gauge("pilot_host_streams_active", "Streams neither closed nor in TIME_WAIT", s.activeStreams()));
        m.add(gauge("pilot_host_buffered_bytes", "Bytes held in the node's buffers and queues", s.bufferedBytes()));
        m.add(CounterSnapshot.builder().name("pilot_host_packets")
                .help("Packets accepted (in) and sent (out) by the node")
                .dataPoint(counterPoint(s.packetsIn(), Labels.of("direction", "in")))
                .dataPoint(counterPoint(s.packetsOut(), Labels.of("direction", "out")))
                .build());
        CounterSnapshot.Builder drops = CounterSnapshot.builder().name("pilot_host_drops")
                .help("Datagrams and packets the node dropped, by reason (the core's ErrorCode)");
        for (ErrorCode c : ErrorCode.values()) {
            drops.dataPoint(counterPoint(s.drops().getOrDefault(c, 0L), Labels.of("reason", c.name().toLowerCase(Locale.ROOT))));
        }
        m.add(drops.build());
        return new MetricSnapshots(m);
    }

    private static CounterSnapshot.CounterDataPointSnapshot counterPoint(long value, Labels labels) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
