package pilot.host.registry;

/**
 * The registry's bounds (docs/SECURITY.md, "Registry and files"). Everything here is reachable
 * before a client has proven a key, so each is a hard cap, not a hint.
 *
 * @param maxConnections        connections served at once; at the cap the longest-idle one is closed
 *                              to make room, or the new one is refused when all are mid-request
 * @param maxConnectionsPerIp   connections from one IP address (IPv6: one /64, {@link SourceKey}); beyond it that IP's longest-idle
 *                              connection is closed (so one address cannot hold the registry)
 * @param idleTimeoutMillis     a connection that completes no request for this long is closed (a
 *                              request trickled in byte by byte counts as idle: slowloris)
 * @param maxNodes              registered nodes; new keys are refused beyond (known keys still re-register)
 * @param maxRegisterSkewMillis a signed register's timestamp may differ this much from the registry's clock
 * @param newKeysPerIpPerSecond first registrations (new keys) per source ({@link SourceKey#of}) per second, also
 *                              the burst, and the same again per IPv6 /48 ({@link SourceKey#wide});
 *                              known keys re-register without limit (as the reference, spec I.1)
 * @param writeTimeoutMillis    an answer whose write has not finished after this long (the client does not
 *                              read) closes its connection; while it blocks, the connection is evictable.
 *                              Our answers are a few hundred bytes, so an honest reader never comes near it
 * @param unprovenNodeTtlMillis a node that has not proven its key (signed register, heartbeat or
 *                              set_visibility) for this long since it registered may be reclaimed when the table is full
 * @param silentNodeTtlMillis   a node whose last proof of its key is older than this may be reclaimed when the table is full
 */
public record RegistryLimits(int maxConnections, int maxConnectionsPerIp, long idleTimeoutMillis, int maxNodes,
        long maxRegisterSkewMillis, int newKeysPerIpPerSecond, long writeTimeoutMillis, long unprovenNodeTtlMillis,
        long silentNodeTtlMillis) {
    public static final RegistryLimits DEFAULTS = new RegistryLimits(RegistryServer.MAX_CONNECTIONS, 16, 30_000, 65_536, 120_000, 20,
            2_000, 300_000, 3_600_000);
    /** Source IPs whose new-key budget is tracked (least recently used forgotten beyond). */
    public static final int TRACKED_REGISTRATION_SOURCES = 4096;

    public RegistryLimits {
        if (maxConnections < 1 || maxConnectionsPerIp < 1 || idleTimeoutMillis < 1 || maxNodes < 1 || maxRegisterSkewMillis < 1
                || newKeysPerIpPerSecond < 1 || writeTimeoutMillis < 1 || unprovenNodeTtlMillis < 1 || silentNodeTtlMillis < 1) {
            throw new IllegalArgumentException("registry limits must be positive");
        }
    }

    public RegistryLimits withIdleTimeoutMillis(long millis) {
        return new RegistryLimits(maxConnections, maxConnectionsPerIp, millis, maxNodes, maxRegisterSkewMillis, newKeysPerIpPerSecond,
                writeTimeoutMillis, unprovenNodeTtlMillis, silentNodeTtlMillis);
    }

    public RegistryLimits withMaxNodes(int n) {
        return new RegistryLimits(maxConnections, maxConnectionsPerIp, idleTimeoutMillis, n, maxRegisterSkewMillis, newKeysPerIpPerSecond,
                writeTimeoutMillis, unprovenNodeTtlMillis, silentNodeTtlMillis);
    }

    public RegistryLimits withNewKeysPerIpPerSecond(int n) {
        return new RegistryLimits(maxConnections, maxConnectionsPerIp, idleTimeoutMillis, maxNodes, maxRegisterSkewMillis, n,
                writeTimeoutMillis, unprovenNodeTtlMillis, silentNodeTtlMillis);
    }

    public RegistryLimits withMaxConnections(int n) {
        return new RegistryLimits(n, maxConnectionsPerIp, idleTimeoutMillis, maxNodes, maxRegisterSkewMillis, newKeysPerIpPerSecond,
                writeTimeoutMillis, unprovenNodeTtlMillis, silentNodeTtlMillis);
    }

    public RegistryLimits withNodeTtls(long unprovenMillis, long silentMillis) {
        return new RegistryLimits(maxConnections, maxConnectionsPerIp, idleTimeoutMillis, maxNodes, maxRegisterSkewMillis,
                newKeysPerIpPerSecond, writeTimeoutMillis, unprovenMillis, silentMillis);
    }
}
