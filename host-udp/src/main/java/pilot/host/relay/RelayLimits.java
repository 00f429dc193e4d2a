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

    // ---------------------------------------------------------------- dial-in (docs/SECURITY.md "Relay dial-in")
    /** Frames queued for a parked dial-in endpoint; beyond, the oldest is dropped (counted). */
    public static final int DIAL_IN_QUEUE_FRAMES = 64;
    /** Bytes queued for a parked dial-in endpoint (packed messages); beyond, the oldest are dropped. */
    public static final int DIAL_IN_QUEUE_BYTES = 256 * 1024;
    /** At most one dial per this time per identity; also the first redial delay after a drop. */
    public static final long DIAL_IN_MIN_REDIAL_MS = 1_000;
    /** The redial delay doubles up to this. */
    public static final long DIAL_IN_MAX_BACKOFF_MS = 60_000;
    /** Parked this long without a successful dial-in: the relay forgets the identity and frees its port. */
    public static final long DIAL_IN_PARK_TTL_MS = 24L * 3600 * 1000;
    /** Dial-in identities per relay (dialled, dialling or parked). */
    public static final int MAX_DIAL_IN = 1024;
    /** Registry heartbeats repeated on a dial-in Worker's behalf this often. */
    public static final long DIAL_IN_HEARTBEAT_MS = 30_000;
    /** TCP connect time of one dial (the WebSocket upgrade and both logins then count against authTimeoutMillis). */
    public static final int DIAL_IN_CONNECT_TIMEOUT_MS = 10_000;
    /** WebSocket protocol pings on a dialled connection this often (the runtime answers without waking the object). */
    public static final long DIAL_IN_PING_MS = 30_000;
    /** No pong (protocol or text) for this long: the dialled connection is closed and redialled. */
    public static final long DIAL_IN_PONG_TIMEOUT_MS = 90_000;
    /** The text {@code ping} (answered by the Durable Object's auto-response) this often. */
    public static final long DIAL_IN_TEXT_PING_MS = 60_000;
    /** Characters of a dial-in URL. */
    public static final int MAX_DIAL_IN_URL = 2048;

    /**
     * The dial-in bounds as one value, so tests can shorten the times; {@link #DEFAULTS} are the constants above.
     */
    public record DialIn(int maxDialIns, int queueFrames, int queueBytes, long minRedialMillis, long maxBackoffMillis,
                         long parkTtlMillis, long heartbeatMillis, int connectTimeoutMillis, long pingMillis,
                         long pongTimeoutMillis, long textPingMillis) {
        public static final DialIn DEFAULTS = new DialIn(MAX_DIAL_IN, DIAL_IN_QUEUE_FRAMES, DIAL_IN_QUEUE_BYTES,
                DIAL_IN_MIN_REDIAL_MS, DIAL_IN_MAX_BACKOFF_MS, DIAL_IN_PARK_TTL_MS, DIAL_IN_HEARTBEAT_MS,
                DIAL_IN_CONNECT_TIMEOUT_MS, DIAL_IN_PING_MS, DIAL_IN_PONG_TIMEOUT_MS, DIAL_IN_TEXT_PING_MS);

        public DialIn withMax(int max) {
            return new DialIn(max, queueFrames, queueBytes, minRedialMillis, maxBackoffMillis, parkTtlMillis,
                    heartbeatMillis, connectTimeoutMillis, pingMillis, pongTimeoutMillis, textPingMillis);
        }

        public DialIn withTimes(long heartbeat, long ping, long pongTimeout, long parkTtl) {
            return new DialIn(maxDialIns, queueFrames, queueBytes, minRedialMillis, maxBackoffMillis, parkTtl,
                    heartbeat, connectTimeoutMillis, ping, pongTimeout, textPingMillis);
        }
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
