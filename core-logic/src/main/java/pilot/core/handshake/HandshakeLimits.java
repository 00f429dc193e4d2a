package pilot.core.handshake;

/**
 * Bounds and thresholds of the key-exchange layer. {@link #DEFAULTS} follows spec D.2 and F.5; tests
 * shrink them to hit each bound.
 *
 * @param maxPeers            peers (with or without a session) in the table at most
 * @param maxHalfOpen         peers we sent a PILA to and have no session with yet, at most
 * @param kxPerSecond         key-exchange frames accepted per source per second (spec D.2 step 2: 5)
 * @param maxKxSources        rate-limit buckets tracked at most (spec D.2 step 2: 4096)
 * @param kxSourceIdleMillis  idle bucket lifetime (spec D.2 step 2: 10 s)
 * @param failureRun          consecutive open failures of one kind before dropping the session (F.5: 5)
 * @param aeadGraceMillis     minimum session age for an AEAD-failure drop (F.5: 3 s)
 * @param windowGraceMillis   minimum session age for a replay / too-old drop (F.5: 1 s)
 * @param retiredKeysPerPeer  replaced peer X25519 keys remembered to refuse replayed old PILAs
 */
public record HandshakeLimits(int maxPeers, int maxHalfOpen, int kxPerSecond, int maxKxSources,
                              long kxSourceIdleMillis, int failureRun, long aeadGraceMillis,
                              long windowGraceMillis, int retiredKeysPerPeer) {
    public static final HandshakeLimits DEFAULTS = new HandshakeLimits(1024, 128, 5, 4096, 10_000, 5, 3_000, 1_000, 4);

    public HandshakeLimits {
        if (maxPeers < 1 || maxHalfOpen < 1 || maxHalfOpen > maxPeers || kxPerSecond < 1 || maxKxSources < 1
                || failureRun < 1 || retiredKeysPerPeer < 0) {
            throw new IllegalArgumentException("invalid handshake limits");
        }
    }

    public HandshakeLimits withMaxPeers(int peers, int halfOpen) {
        return new HandshakeLimits(peers, halfOpen, kxPerSecond, maxKxSources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer);
    }

    public HandshakeLimits withRate(int perSecond, int sources) {
        return new HandshakeLimits(maxPeers, maxHalfOpen, perSecond, sources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer);
    }
}
