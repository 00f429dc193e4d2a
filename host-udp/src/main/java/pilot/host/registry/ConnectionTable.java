package pilot.host.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which registry connections may stay open (no sockets here; time is an argument). At most
 * {@link RegistryLimits#maxConnections} in all and {@link RegistryLimits#maxConnectionsPerIp} per IP;
 * a new connection over either bound takes the place of the longest-idle connection in its way (of
 * its own IP when that IP is full), so idle sockets cannot lock honest clients out: a connection is
 * idle from the moment it was accepted or answered until a complete request has arrived. When no
 * candidate is idle, the one whose answer has been stuck in a write the longest takes that place (a
 * client that does not read its answers must not hold a slot); only when every candidate is handling
 * a request (not writing) is the new one refused. Connections idle for
 * {@link RegistryLimits#idleTimeoutMillis}, or writing one answer for
 * {@link RegistryLimits#writeTimeoutMillis}, are closed by {@link #expired}.
 *
 * @param <C> the connection (the server closes what this class names)
 */
final class ConnectionTable<C> {
    private static final class Entry {
        final String ip;
        long idleSince;
        boolean busy;
        /** when the answer being written now started, or -1 when not writing */
        long writingSince = -1;

        Entry(String ip, long now) {
            this.ip = ip;
            this.idleSince = now;
        }
    }

    /**
     * The outcome of {@link #admit}: the new connection is kept (and {@code evicted} must be closed) or
     * refused. {@code evictedMidWrite}: the evicted one was stuck writing, so it is closed abortively (its
     * unsent answers are dropped at once instead of staying in the kernel for a client that never reads).
     */
    record Admission<C>(boolean admitted, C evicted, boolean evictedMidWrite) {
    }

    /** A connection {@link #expired} closes; {@code midWrite} as in {@link Admission}. */
    record Stale<C>(C conn, boolean midWrite) {
    }

    private final RegistryLimits limits;
    private final LinkedHashMap<C, Entry> open = new LinkedHashMap<>();
    private final Map<String, Integer> perIp = new HashMap<>();
    private long evictions;
    private long refusals;

    ConnectionTable(RegistryLimits limits) {
        this.limits = limits;
    }

    synchronized Admission<C> admit(C conn, String ip, long now) {
        C victim = null;
        if (perIp.getOrDefault(ip, 0) >= limits.maxConnectionsPerIp()) {
            victim = evictable(ip);
        } else if (open.size() >= limits.maxConnections()) {
            victim = evictable(null);
        }
        boolean full = perIp.getOrDefault(ip, 0) >= limits.maxConnectionsPerIp() || open.size() >= limits.maxConnections();
        if (full && victim == null) {
            refusals++;
            return new Admission<>(false, null, false);
        }
        boolean midWrite = false;
        if (victim != null) {
            midWrite = open.get(victim).writingSince >= 0;
            remove(victim);
            evictions++;
        }
        open.put(conn, new Entry(ip, now));
        perIp.merge(ip, 1, Integer::sum);
        return new Admission<>(true, victim, midWrite);
    }

    /**
     * A complete request arrived: not evictable until {@link #answered}. The idle timeout still runs
     * from here, so a client that never reads its answers (our write blocks) is closed in the end.
     */
    synchronized boolean requestArrived(C conn, long now) {
        Entry e = open.get(conn);
        if (e != null) {
            e.busy = true;
            e.idleSince = now;
        }
        return e != null;
    }

    /** The answer is being written now: from here the connection is evictable, and closed after the write timeout. */
    synchronized void writing(C conn, long now) {
        Entry e = open.get(conn);
        if (e != null) {
            e.writingSince = now;
        }
    }

    synchronized void answered(C conn, long now) {
        Entry e = open.get(conn);
        if (e != null) {
            e.busy = false;
            e.writingSince = -1;
            e.idleSince = now;
        }
    }

    synchronized void remove(C conn) {
        Entry e = open.remove(conn);
        if (e != null) {
            perIp.computeIfPresent(e.ip, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    /**
     * Removes and returns the connections idle (or stuck in one request) longer than the idle timeout,
     * and those writing one answer longer than the write timeout.
     */
    synchronized List<Stale<C>> expired(long now) {
        List<Stale<C>> out = new ArrayList<>();
        for (Map.Entry<C, Entry> e : open.entrySet()) {
            Entry v = e.getValue();
            boolean writing = v.writingSince >= 0;
            if (writing && now - v.writingSince >= limits.writeTimeoutMillis() || now - v.idleSince >= limits.idleTimeoutMillis()) {
                out.add(new Stale<>(e.getKey(), writing));
            }
        }
        for (Stale<C> c : out) {
            remove(c.conn());
        }
        return out;
    }

    /** Removes and returns every connection (the server is closing). */
    synchronized List<C> drain() {
        List<C> all = new ArrayList<>(open.keySet());
        open.clear();
        perIp.clear();
        return all;
    }

    synchronized int size() {
        return open.size();
    }

    synchronized int fromIp(String ip) {
        return perIp.getOrDefault(ip, 0);
    }

    synchronized long evictions() {
        return evictions;
    }

    synchronized long refusals() {
        return refusals;
    }

    /** The longest-idle connection (of {@code ip}, unless null), else the one writing one answer the longest, else null. */
    private C evictable(String ip) {
        C idle = null;
        long idleSince = Long.MAX_VALUE;
        C writer = null;
        long writingSince = Long.MAX_VALUE;
        for (Map.Entry<C, Entry> e : open.entrySet()) {
            Entry v = e.getValue();
            if (ip != null && !ip.equals(v.ip)) {
                continue;
            }
            if (!v.busy && v.idleSince < idleSince) {
                idle = e.getKey();
                idleSince = v.idleSince;
            } else if (v.writingSince >= 0 && v.writingSince < writingSince) {
                writer = e.getKey();
                writingSince = v.writingSince;
            }
        }
        return idle != null ? idle : writer;
    }
}
