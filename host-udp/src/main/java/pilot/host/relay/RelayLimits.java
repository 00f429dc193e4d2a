package pilot.host.relay;

/**
 * Bounds of the relay; each exceeded bound refuses or drops, counts, and logs (rate-limited), never grows.
 * Every one is listed in docs/SECURITY.md (relay section) with the test that hits it.
 *
 * @param maxConnections          WebSocket connections at once (authenticated or not); beyond, close 1013
 * @param authTimeoutMillis       time to finish the login (and, for a new key, its registration) before the close
 * @param idleTimeoutMillis       no Pilot frame either way for this long closes an authenticated Worker
 * @param maxQueuedBytes          datagrams waiting to go out on one Worker's WebSocket; beyond, new ones drop
 * @param maxTotalQueuedBytes     the same across all Workers
 * @param packetsPerSecond        frames per Worker per second, each direction (burst as large)
 * @param maxDestinations         allow-list entries per Worker (registry answers and completed PILA exchanges);
 *                                when full new ones are refused, nothing is evicted
 * @param maxUpgradeBytes         bytes a client may send before its WebSocket upgrade completes
 * @param handshakeTimeoutMillis  time from TCP accept to a completed upgrade
 * @param maxConnectionsPerIp     TCP connections from one IP at once, in any state
 * @param loginsPerSecondPerIp    login attempts (signature checks) per source IP per second, burst as large
 * @param maxProvisional          logins of keys this relay does not know yet (they may only register), in total
 * @param maxProvisionalPerIp     the same per source IP
 * @param maxKnownKeys            keys remembered as registered through this relay (login without the provisional step)
 * @param maxPendingPeers         strangers per Worker whose PILA reached it and that it may answer with its own PILA
 * @param pendingPeerMillis       how long such a stranger stays answerable
 * @param strangerFramesPerSecond PILA frames per Worker per second from endpoints not on its allow-list
 */
public record RelayLimits(int maxConnections, long authTimeoutMillis, long idleTimeoutMillis, int maxQueuedBytes,
                          long maxTotalQueuedBytes, int packetsPerSecond, int maxDestinations,
                          int maxUpgradeBytes, long handshakeTimeoutMillis, int maxConnectionsPerIp,
                          int loginsPerSecondPerIp, int maxProvisional, int maxProvisionalPerIp, int maxKnownKeys,
                          int maxPendingPeers, long pendingPeerMillis, int strangerFramesPerSecond) {
    public static final RelayLimits DEFAULTS = new RelayLimits(1024, 10_000, 90_000, 1 << 20, 64L << 20, 5000, 1024,
            8192, 5_000, 256, 20, 64, 8, 65_536, 64, 10_000, 50);

    /** The first seven bounds; the rest take their defaults. */
    public RelayLimits(int maxConnections, long authTimeoutMillis, long idleTimeoutMillis, int maxQueuedBytes,
                       long maxTotalQueuedBytes, int packetsPerSecond, int maxDestinations) {
        this(maxConnections, authTimeoutMillis, idleTimeoutMillis, maxQueuedBytes, maxTotalQueuedBytes, packetsPerSecond,
                maxDestinations, 8192, 5_000, 256, 20, 64, 8, 65_536, 64, 10_000, 50);
    }

    /** TCP sockets at once, upgrading or open: twice {@link #maxConnections}, so a polite 1013 can still be sent. */
    public int maxSockets() {
        return 2 * maxConnections;
    }

    public RelayLimits withUpgrade(int maxUpgradeBytes, long handshakeTimeoutMillis) {
        return new RelayLimits(maxConnections, authTimeoutMillis, idleTimeoutMillis, maxQueuedBytes, maxTotalQueuedBytes,
                packetsPerSecond, maxDestinations, maxUpgradeBytes, handshakeTimeoutMillis, maxConnectionsPerIp,
                loginsPerSecondPerIp, maxProvisional, maxProvisionalPerIp, maxKnownKeys, maxPendingPeers,
                pendingPeerMillis, strangerFramesPerSecond);
    }

    public RelayLimits withLogins(int maxConnectionsPerIp, int loginsPerSecondPerIp, int maxProvisional,
                                  int maxProvisionalPerIp) {
        return new RelayLimits(maxConnections, authTimeoutMillis, idleTimeoutMillis, maxQueuedBytes, maxTotalQueuedBytes,
                packetsPerSecond, maxDestinations, maxUpgradeBytes, handshakeTimeoutMillis, maxConnectionsPerIp,
                loginsPerSecondPerIp, maxProvisional, maxProvisionalPerIp, maxKnownKeys, maxPendingPeers,
                pendingPeerMillis, strangerFramesPerSecond);
    }

    public RelayLimits withPeers(int maxDestinations, int maxPendingPeers, long pendingPeerMillis,
                                 int strangerFramesPerSecond) {
        return new RelayLimits(maxConnections, authTimeoutMillis, idleTimeoutMillis, maxQueuedBytes, maxTotalQueuedBytes,
                packetsPerSecond, maxDestinations, maxUpgradeBytes, handshakeTimeoutMillis, maxConnectionsPerIp,
                loginsPerSecondPerIp, maxProvisional, maxProvisionalPerIp, maxKnownKeys, maxPendingPeers,
                pendingPeerMillis, strangerFramesPerSecond);
    }
}
