package pilot.core.handshake;

/**
 * Bounds and thresholds of the key-exchange layer. {@link #DEFAULTS} follows spec D.2 and F.5 where the
 * spec names a value; the rest are ours (docs/SECURITY.md, host section). Tests shrink them to hit each bound.
 *
 * @param maxPeers            peers (with or without a session) in the table at most
 * @param maxHalfOpen         peers we sent a PILA to and have no session with yet, at most
 * @param kxPerSecond         key-exchange frames accepted per (source endpoint, claimed node id) per second
 *                            (spec D.2 step 2 says 5 per source; we key more finely so one Worker behind a
 *                            relay cannot spend another's budget)
 * @param maxKxSources        rate-limit buckets tracked at most, per table (spec D.2 step 2: 4096)
 * @param kxSourceIdleMillis  idle bucket lifetime (spec D.2 step 2: 10 s)
 * @param failureRun          consecutive open failures of one kind before a re-handshake (F.5: 5)
 * @param aeadGraceMillis     AEAD failures start a re-handshake only after this long without an authenticated
 *                            frame from the peer (F.5: 3 s); also the least time between two such re-handshakes
 * @param windowGraceMillis   the same for replay / too-old runs (F.5: 1 s)
 * @param retiredKeysPerPeer  peer X25519 keys remembered per node (also after the peer state is forgotten)
 *                            to refuse replayed old PILAs
 * @param kxPerEndpointPerSecond key-exchange frames per source endpoint per second, over all node ids it claims
 * @param kxNewPerSecond      node-wide budget for frames from (endpoint, node) pairs not tracked yet: new
 *                            and evicted sources share it, so address churn buys no fresh budget
 * @param kxGlobalPerSecond   node-wide cap on key-exchange frames per second (each may cost an Ed25519 verify)
 * @param keyHistoryNodes     nodes whose past X25519 keys are remembered at most (least recently used forgotten)
 * @param lookupsPerSecond    registry look-ups per second that unauthenticated input (a PILS, PILA or PILK from
 *                            a node we have no key or endpoint for) may trigger, node-wide (burst the same)
 * @param negativeLookupMillis a node whose look-up failed, or whose handshake never completed, is not looked up
 *                            again for this long on behalf of unauthenticated input
 * @param maxNegativeLookups  nodes in that negative cache at most (oldest forgotten)
 */
public record HandshakeLimits(int maxPeers, int maxHalfOpen, int kxPerSecond, int maxKxSources,
                              long kxSourceIdleMillis, int failureRun, long aeadGraceMillis,
                              long windowGraceMillis, int retiredKeysPerPeer, int kxPerEndpointPerSecond,
                              int kxNewPerSecond, int kxGlobalPerSecond, int keyHistoryNodes, int lookupsPerSecond,
                              long negativeLookupMillis, int maxNegativeLookups) {
    public static final HandshakeLimits DEFAULTS = new HandshakeLimits(1024, 128, 5, 4096, 10_000, 5, 3_000, 1_000, 4,
            10, 20, 100, 4096, 10, 30_000, 1024);

    public HandshakeLimits {
        if (maxPeers < 1 || maxHalfOpen < 1 || maxHalfOpen > maxPeers || kxPerSecond < 1 || maxKxSources < 1
                || failureRun < 1 || retiredKeysPerPeer < 0 || kxPerEndpointPerSecond < 1 || kxNewPerSecond < 1
                || kxGlobalPerSecond < 1 || keyHistoryNodes < 1 || lookupsPerSecond < 1 || negativeLookupMillis < 0
                || maxNegativeLookups < 1) {
            throw new IllegalArgumentException("invalid handshake limits");
        }
    }

    public HandshakeLimits withMaxPeers(int peers, int halfOpen) {
        return new HandshakeLimits(peers, halfOpen, kxPerSecond, maxKxSources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer, kxPerEndpointPerSecond, kxNewPerSecond,
                kxGlobalPerSecond, keyHistoryNodes, lookupsPerSecond, negativeLookupMillis, maxNegativeLookups);
    }

    public HandshakeLimits withRate(int perSecond, int sources) {
        return new HandshakeLimits(maxPeers, maxHalfOpen, perSecond, sources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer, kxPerEndpointPerSecond, kxNewPerSecond,
                kxGlobalPerSecond, keyHistoryNodes, lookupsPerSecond, negativeLookupMillis, maxNegativeLookups);
    }

    /** The node-wide budgets: per endpoint, for untracked sources, and in total (all per second). */
    public HandshakeLimits withBudgets(int perEndpoint, int newSources, int global) {
        return new HandshakeLimits(maxPeers, maxHalfOpen, kxPerSecond, maxKxSources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer, perEndpoint, newSources, global, keyHistoryNodes, lookupsPerSecond,
                negativeLookupMillis, maxNegativeLookups);
    }

    public HandshakeLimits withKeyHistory(int nodes) {
        return new HandshakeLimits(maxPeers, maxHalfOpen, kxPerSecond, maxKxSources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer, kxPerEndpointPerSecond, kxNewPerSecond,
                kxGlobalPerSecond, nodes, lookupsPerSecond, negativeLookupMillis, maxNegativeLookups);
    }

    /** Look-ups triggered by unauthenticated input: rate per second and negative-cache lifetime. */
    public HandshakeLimits withLookups(int perSecond, long negativeMillis) {
        return new HandshakeLimits(maxPeers, maxHalfOpen, kxPerSecond, maxKxSources, kxSourceIdleMillis, failureRun,
                aeadGraceMillis, windowGraceMillis, retiredKeysPerPeer, kxPerEndpointPerSecond, kxNewPerSecond,
                kxGlobalPerSecond, keyHistoryNodes, perSecond, negativeMillis, maxNegativeLookups);
    }
}
