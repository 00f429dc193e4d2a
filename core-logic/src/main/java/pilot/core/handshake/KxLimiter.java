package pilot.core.handshake;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admission of key-exchange frames before any crypto (spec D.2 step 2, tightened). A frame passes only
 * if every bucket it draws on has a token, and only then are the tokens taken, so a refused frame costs
 * nothing and cannot drain anyone's budget:
 * <ol>
 *   <li>its (source endpoint, claimed node id) bucket — or, when that pair is not tracked (new, idle or
 *       evicted), the node-wide <em>newcomer</em> bucket, shared by all untracked pairs, so cycling through
 *       sources or node ids buys at most {@code kxNewPerSecond} new pairs a second;</li>
 *   <li>its source endpoint's bucket, over all node ids that endpoint claims (one Worker behind a relay has
 *       one relay endpoint, so it cannot spend the budget of another Worker behind the same relay IP);</li>
 *   <li>the node-wide global bucket: a hard cap on Ed25519 verifies per second whatever the sources.</li>
 * </ol>
 * Time is the caller's; tokens are kept in thousandths so the arithmetic is exact on every runtime.
 * Memory: at most {@code maxSources} pair buckets and {@code maxSources} endpoint buckets.
 */
public final class KxLimiter {
    private final Buckets pairs;
    private final Buckets endpoints;
    private final Bucket newcomers;
    private final Bucket global;
    private long refused;

    public KxLimiter(HandshakeLimits l) {
        this.pairs = new Buckets(l.kxPerSecond(), l.maxKxSources(), l.kxSourceIdleMillis());
        this.endpoints = new Buckets(l.kxPerEndpointPerSecond(), l.maxKxSources(), l.kxSourceIdleMillis());
        this.newcomers = new Bucket(l.kxNewPerSecond(), 0);
        this.global = new Bucket(l.kxGlobalPerSecond(), 0);
    }

    /** Takes the tokens for one frame from {@code endpoint} claiming {@code node}; {@code false} = refuse it. */
    public boolean allow(String endpoint, int node, long now) {
        String pairKey = endpoint + "/" + Integer.toUnsignedString(node);
        Bucket pair = pairs.get(pairKey, now);
        Bucket ep = endpoints.get(endpoint, now);
        boolean ok = (pair != null ? pair.has(now) : newcomers.has(now))
                && (ep == null || ep.has(now))
                && global.has(now);
        if (!ok) {
            refused++;
            return false;
        }
        if (pair == null) {
            newcomers.take(); // an untracked pair pays with a shared token, so eviction cannot mint budget;
            pair = pairs.add(pairKey, now); // its own bucket then allows an honest exchange's few frames
        }
        pair.take();
        if (ep == null) {
            ep = endpoints.add(endpoint, now);
        }
        ep.take();
        global.take();
        return true;
    }

    /**
     * Takes one node-wide token for key-exchange work we start on unauthenticated evidence (a failure
     * run's re-handshake: a signature here and a verify of the answer), so runs against many peers at
     * once stay within the same global cap.
     */
    public boolean allowGlobal(long now) {
        if (!global.has(now)) {
            refused++;
            return false;
        }
        global.take();
        return true;
    }

    public int trackedSources() {
        return pairs.size();
    }

    public long refusedCount() {
        return refused;
    }

    /** One token bucket; tokens in thousandths. */
    static final class Bucket {
        private static final long MILLI = 1000;
        private final long perSecond;
        private long tokens;
        private long last;

        Bucket(int perSecond, long now) {
            this.perSecond = perSecond;
            this.tokens = perSecond * MILLI;
            this.last = now;
        }

        boolean has(long now) {
            long elapsed = Math.max(0, now - last);
            tokens = Math.min(perSecond * MILLI, tokens + elapsed * perSecond);
            last = Math.max(last, now);
            return tokens >= MILLI;
        }

        void take() {
            tokens -= MILLI;
        }

        void empty() {
            tokens = 0;
        }

        boolean idleSince(long now, long idleMillis) {
            return now - last >= idleMillis;
        }
    }

    /** Buckets by key, least recently used first; idle ones pruned, then the least recently used. */
    static final class Buckets {
        private final int perSecond;
        private final int max;
        private final long idleMillis;
        private final LinkedHashMap<String, Bucket> map = new LinkedHashMap<>(16, 0.75f, true);

        Buckets(int perSecond, int max, long idleMillis) {
            this.perSecond = perSecond;
            this.max = max;
            this.idleMillis = idleMillis;
        }

        /** The tracked bucket, or null; an idle one counts as untracked (it is forgotten here). */
        Bucket get(String key, long now) {
            Bucket b = map.get(key);
            if (b != null && b.idleSince(now, idleMillis)) {
                map.remove(key);
                return null;
            }
            return b;
        }

        Bucket add(String key, long now) {
            Iterator<Map.Entry<String, Bucket>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Bucket b = it.next().getValue();
                if (!b.idleSince(now, idleMillis) && map.size() < max) {
                    break; // access order: everything after this one was touched more recently
                }
                it.remove();
            }
            Bucket b = new Bucket(perSecond, now);
            map.put(key, b);
            return b;
        }

        int size() {
            return map.size();
        }
    }
}
