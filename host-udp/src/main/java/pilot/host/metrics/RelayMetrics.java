package pilot.host.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import pilot.host.relay.RelayCounters;
import pilot.host.relay.RelayServer;

/**
 * The relay's metrics, read from its own counters and tables at scrape time (nothing is counted twice,
 * and the relay's hot path stays one atomic increment per frame). Names and labels are listed in
 * docs/DEPLOY.md ("Metrics").
 */
public final class RelayMetrics {
    private RelayMetrics() {
    }

    /** Registers every relay metric of {@code relay} in {@code registry}. */
    public static void register(PrometheusRegistry registry, RelayServer relay) {
        RelayCounters c = relay.counters();
        GaugeWithCallback.builder().name("pilot_relay_connections")
                .help("WebSocket connections on the relay path, by login state")
                .labelNames("state")
                .callback(cb -> relay.connectionsByState().forEach((state, n) -> cb.call(n, state)))
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_tcp_sockets")
                .help("TCP connections held, upgrading or open (bounded by 2 x max connections)")
                .callback(cb -> cb.call(relay.socketCount()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_connections_opened")
                .help("WebSocket connections opened on the relay path since start")
                .callback(cb -> cb.call(c.connectionsOpened()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_connections_refused_full")
                .help("WebSocket connections refused with 1013 because the relay was full")
                .callback(cb -> cb.call(c.connectionsRefusedFull()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_closed_not_reading")
                .help("Connections closed with 1008 because they left MAX_QUEUED_ANSWERS answers unread")
                .callback(cb -> cb.call(c.closedNotReading()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_upgrades_timed_out")
                .help("TCP connections closed because their WebSocket upgrade did not complete in time")
                .callback(cb -> cb.call(relay.handshakesTimedOut.get()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_logins")
                .help("Login messages by outcome: full, provisional (may only register), refused")
                .labelNames("outcome")
                .callback(cb -> {
                    for (RelayCounters.LoginOutcome o : RelayCounters.LoginOutcome.values()) {
                        cb.call(c.logins(o), o.label());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_provisional_logins")
                .help("Logged-in keys not yet registered (bounded by max provisional)")
                .callback(cb -> cb.call(relay.policy().provisionalLogins()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_frames")
                .help("Pilot frames forwarded: out = Worker to UDP, in = UDP to Worker")
                .labelNames("direction")
                .callback(cb -> {
                    for (RelayCounters.Direction d : RelayCounters.Direction.values()) {
                        cb.call(c.frames(d), d.label());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_frame_bytes")
                .help("Bytes of the Pilot frames forwarded (the UDP payloads), by direction")
                .labelNames("direction")
                .callback(cb -> {
                    for (RelayCounters.Direction d : RelayCounters.Direction.values()) {
                        cb.call(c.bytes(d), d.label());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_drops")
                .help("Frames and datagrams dropped, by direction and reason")
                .labelNames("direction", "reason")
                .callback(cb -> {
                    for (RelayCounters.Direction d : RelayCounters.Direction.values()) {
                        for (RelayCounters.DropReason r : RelayCounters.DropReason.values()) {
                            cb.call(c.drops(d, r), d.label(), r.label());
                        }
                    }
                })
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_queued_bytes")
                .help("Datagram bytes waiting to go out on Workers' WebSockets, all together")
                .callback(cb -> cb.call(relay.queuedBytes()))
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_queued_bytes_max_worker")
                .help("Datagram bytes waiting on the fullest Worker's WebSocket")
                .callback(cb -> cb.call(relay.maxQueuedBytesOfOneWorker()))
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_registry_queue_depth")
                .help("Registry requests waiting for a thread (bounded; beyond, answered with an error)")
                .callback(cb -> cb.call(relay.registryQueueDepth()))
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_registry_in_progress")
                .help("Registry requests being answered")
                .callback(cb -> cb.call(relay.registryActive()))
                .register(registry);
        GaugeWithCallback.builder().name("pilot_relay_dial_ins")
                .help("Worker identities the relay dials into: dialled, dialling or parked (at most MAX_DIAL_IN)")
                .callback(cb -> cb.call(relay.dialInCount()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_dials")
                .help("Dials into Workers started (first dials and redials)")
                .callback(cb -> cb.call(relay.dials.get()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_dials_lost")
                .help("Dialled connections that failed or ended (each parks the endpoint or, on a first dial, forgets it)")
                .callback(cb -> cb.call(relay.dialsLost.get()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_registry_failures")
                .help("Registry calls that got no answer (unreachable, timed out, closed): Workers cannot register meanwhile")
                .callback(cb -> cb.call(relay.registryFailures.get()))
                .register(registry);
        CounterWithCallback.builder().name("pilot_relay_heartbeats_on_behalf")
                .help("Registry heartbeats repeated for dial-in Workers and answered heartbeat_ok")
                .callback(cb -> cb.call(relay.heartbeatsOnBehalf.get()))
                .register(registry);
    }
}
