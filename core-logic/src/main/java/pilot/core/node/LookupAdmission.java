package pilot.core.node;

import java.util.LinkedHashMap;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.limit.RateLimiter;

/**
 * Which unknown node ids unauthenticated input may make the host look up: a node-wide rate
 * ({@code HandshakeLimits.lookupsPerSecond}) and a negative cache of nodes whose look-up or handshake failed
 * ({@code maxNegativeLookups} entries, oldest first out, each for {@code negativeLookupMillis}).
 * Traffic the application sends is never limited by this.
 */
final class LookupAdmission {
    private final HandshakeLimits limits;
    private final RateLimiter rate;
    /** Node → until when unauthenticated input may not trigger its look-up again. */
    private final LinkedHashMap<Integer, Long> negative = new LinkedHashMap<>();

    LookupAdmission(HandshakeLimits limits) {
        this.limits = limits;
        this.rate = new RateLimiter(limits.lookupsPerSecond(), 1, 60_000);
    }

    /**
     * Whether unauthenticated input may make the host look {@code node} up: yes if a look-up is already
     * out ({@code pending}: it costs nothing more); no while the node is in the negative cache; else within
     * the node-wide rate.
     */
    boolean mayLookUp(int node, boolean pending, long now) {
        if (pending) {
            return true;
        }
        Long until = negative.get(node);
        if (until != null) {
            if (now < until) {
                return false;
            }
            negative.remove(node);
        }
        return rate.allow("", now);
    }

    /** The host resolved the node: unauthenticated input may ask for it again. */
    void resolved(int node) {
        negative.remove(node);
    }

    /** Its look-up or handshake failed: strangers' frames do not retry it for a while. */
    void failed(int node, long now) {
        negative.remove(node);
        if (negative.size() >= limits.maxNegativeLookups()) {
            negative.remove(negative.keySet().iterator().next());
        }
        negative.put(node, now + limits.negativeLookupMillis());
    }
}
