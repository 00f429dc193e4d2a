package pilot.core.limit;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets keyed by source, with the shape of spec D.2 step 2 (a per-source rate and burst, a bounded
 * number of tracked sources, idle ones pruned). Used for SYNs, look-ups and the relay; key exchanges use
 * the stricter {@code pilot.core.handshake.KxLimiter}. Time is the caller's; tokens are kept in
 * thousandths so the arithmetic is exact integers on every runtime. Bounded: when full, idle buckets
 * go first, then the least recently used.
 */
public final class RateLimiter {
    private static final long MILLI = 1000;
    private final long capacity;
    private final long perSecond;
    private final int maxSources;
    private final long idleMillis;
    private final LinkedHashMap<String, long[]> buckets = new LinkedHashMap<>(16, 0.75f, true);
    private long refused;

    /**
     * @param perSecond  sustained events per second, also the burst size
     * @param maxSources tracked sources at most
     * @param idleMillis a bucket untouched this long is forgotten
     */
    public RateLimiter(int perSecond, int maxSources, long idleMillis) {
        if (perSecond <= 0 || maxSources <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.capacity = perSecond * MILLI;
        this.perSecond = perSecond;
        this.maxSources = maxSources;
        this.idleMillis = idleMillis;
    }

    /** Takes one token for {@code source} at time {@code now}; {@code false} when the bucket is empty. */
    public boolean allow(String source, long now) {
        long[] b = buckets.get(source);
        if (b == null) {
            makeRoom(now);
            b = new long[] {capacity, now};
            buckets.put(source, b);
        }
        long elapsed = Math.max(0, now - b[1]);
        b[0] = Math.min(capacity, b[0] + elapsed * perSecond);
        b[1] = Math.max(b[1], now);
        if (b[0] < MILLI) {
            refused++;
            return false;
        }
        b[0] -= MILLI;
        return true;
    }

    public int trackedSources() {
        return buckets.size();
    }

    /** Events refused so far. */
    public long refusedCount() {
        return refused;
    }

    private void makeRoom(long now) {
        Iterator<Map.Entry<String, long[]>> it = buckets.entrySet().iterator();
        while (it.hasNext()) {
            long[] b = it.next().getValue();
            boolean idle = now - b[1] >= idleMillis;
            if (!idle && buckets.size() < maxSources) {
                break; // access order: everything after this one was touched more recently
            }
            it.remove();
        }
    }
}
