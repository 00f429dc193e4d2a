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
 * idle from the moment it was accepted or answered until a complete request has arrived. Only when
 * every candidate is in the middle of a request is the new one refused. Connections idle for
 * {@link RegistryLimits#idleTimeoutMillis} are closed by {@link #expired}.
 *
 * @param <C> the connection (the server closes what this class names)
 */
final class ConnectionTable<C> {
    private static final class Entry {
        final String ip;
        long idleSince;
        boolean busy;

        Entry(String ip, long now) {
            this.ip = ip;
            this.idleSince = now;
        }
    }

    /** The outcome of {@link #admit}: the new connection is kept (and {@code evicted} must be closed) or refused. */
    record Admission<C>(boolean admitted, C evicted) {
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
            victim = longestIdle(ip);
        } else if (open.size() >= limits.maxConnections()) {
            victim = longestIdle(null);
        }
        boolean full = perIp.getOrDefault(ip, 0) >= limits.maxConnectionsPerIp() || open.size() >= limits.maxConnections();
        if (full && victim == null) {
            refusals++;
            return new Admission<>(false, null);
        }
        if (victim != null) {
            remove(victim);
            evictions++;
        }
        open.put(conn, new Entry(ip, now));
        perIp.merge(ip, 1, Integer::sum);
        return new Admission<>(true, victim);
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

    synchronized void answered(C conn, long now) {
        Entry e = open.get(conn);
        if (e != null) {
            e.busy = false;
            e.idleSince = now;
        }
    }

    synchronized void remove(C conn) {
        Entry e = open.remove(conn);
        if (e != null) {
            perIp.computeIfPresent(e.ip, (k, v) -> v <= 1 ? null : v - 1);
        }
    }

    /** Removes and returns the connections idle (or stuck in one request) longer than the idle timeout. */
    synchronized List<C> expired(long now) {
        List<C> out = new ArrayList<>();
        for (Map.Entry<C, Entry> e : open.entrySet()) {
            if (now - e.getValue().idleSince >= limits.idleTimeoutMillis()) {
                out.add(e.getKey());
            }
        }
        for (C c : out) {
            remove(c);
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

    private C longestIdle(String ip) {
        C best = null;
        long since = Long.MAX_VALUE;
        for (Map.Entry<C, Entry> e : open.entrySet()) {
            Entry v = e.getValue();
            if (!v.busy && (ip == null || ip.equals(v.ip)) && v.idleSince < since) {
                best = e.getKey();
                since = v.idleSince;
            }
        }
        return best;
    }
}
