package pilot.host.relay;

/**
 * Bounds of the relay; each exceeded bound refuses or drops, counts, and logs, never grows.
 *
 * @param maxConnections       WebSocket connections at once (authenticated or not)
 * @param authTimeoutMillis    time to finish the login before the connection is closed
 * @param idleTimeoutMillis    no message from an authenticated Worker for this long closes it
 * @param maxQueuedBytes       datagrams waiting to go out on one Worker's WebSocket; beyond, new ones drop
 * @param maxTotalQueuedBytes  the same across all Workers
 * @param packetsPerSecond     outbound datagrams per Worker per second (burst as large)
 * @param maxDestinations      endpoints one Worker may send to (learned from its registry answers and inbound traffic)
 */
public record RelayLimits(int maxConnections, long authTimeoutMillis, long idleTimeoutMillis, int maxQueuedBytes,
                          long maxTotalQueuedBytes, int packetsPerSecond, int maxDestinations) {
    public static final RelayLimits DEFAULTS = new RelayLimits(1024, 10_000, 90_000, 1 << 20, 64L << 20, 5000, 1024);
}
