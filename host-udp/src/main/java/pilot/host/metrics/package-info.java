/**
 * Operations: {@link pilot.host.metrics.AdminServer} serves {@code /healthz} and Prometheus
 * {@code /metrics} on a listener of its own, and {@link pilot.host.metrics.RelayMetrics} and
 * {@link pilot.host.metrics.HostMetrics} expose the relay's and a host's counters through the
 * Prometheus Java client ({@code io.prometheus:prometheus-metrics-core}). The services themselves keep
 * plain counters; these classes only read them at scrape time.
 */
package pilot.host.metrics;
