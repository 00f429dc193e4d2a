package pilot.core.stream;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.addr.Address;

/**
 * The streams one node holds, found two ways: by the id the application uses, and by the
 * (local port, remote address, remote port) tuple a packet names (spec A.2). A stream leaves the tuple
 * lookup when it reaches CLOSED and the id lookup when it is retired; sums over them (active streams,
 * earliest deadline, buffered bytes). Single-threaded.
 */
final class StreamIndex {
    private final Map<Integer, Connection> byId = new LinkedHashMap<>();
    private final Map<String, Connection> byKey = new LinkedHashMap<>();

    void add(Connection c) {
        byId.put(c.id, c);
        byKey.put(key(c.localPort, c.remote, c.remotePort), c);
    }

    Connection byId(int id) {
        return byId.get(id);
    }

    /** The stream a packet from {@code remote}'s {@code remotePort} to our {@code localPort} belongs to, or null. */
    Connection byTuple(int localPort, Address remote, int remotePort) {
        return byKey.get(key(localPort, remote, remotePort));
    }

    /** After every step: a stream that reached CLOSED leaves the tuple lookup (its entry actions already ran). */
    void settle(Connection c) {
        if (c.state() == StreamState.CLOSED) {
            byKey.remove(key(c.localPort, c.remote, c.remotePort), c);
            releaseIfDone(c);
        }
    }

    /** A closed stream stays readable until its data is read (or it ended abnormally). */
    void releaseIfDone(Connection c) {
        if (c.state() == StreamState.CLOSED && (c.readable() == 0 || c.closeReason() != null)) {
            retire(c);
        }
    }

    void retire(Connection c) {
        byId.remove(c.id);
        byKey.remove(key(c.localPort, c.remote, c.remotePort), c);
    }

    /** In the order they were opened. */
    Collection<Connection> all() {
        return byId.values();
    }

    List<Integer> ids() {
        return new ArrayList<>(byId.keySet());
    }

    int size() {
        return byId.size();
    }

    /** Streams not yet CLOSED or in TIME_WAIT (per port and per peer: {@link #census}). */
    int active() {
        int n = 0;
        for (Connection c : byId.values()) {
            if (c.state() != StreamState.CLOSED && c.state() != StreamState.TIME_WAIT) {
                n++;
            }
        }
        return n;
    }

    /**
     * One walk for a SYN's admission: streams active on every port, active on {@code port}, active with
     * {@code remote}, and those of {@code remote}'s that are still half-open (our SYN|ACK unanswered).
     */
    int[] census(int port, Address remote) {
        int[] n = new int[4];
        for (Connection c : byId.values()) {
            if (c.state() == StreamState.CLOSED || c.state() == StreamState.TIME_WAIT) {
                continue;
            }
            n[0]++;
            n[1] += c.localPort == port ? 1 : 0;
            if (c.remote.equals(remote)) {
                n[2]++;
                n[3] += c.halfOpen() ? 1 : 0;
            }
        }
        return n;
    }

    /** The earliest deadline of any stream; {@code Long.MAX_VALUE} when none waits. */
    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Connection c : byId.values()) {
            d = Math.min(d, c.nextDeadline());
        }
        return d;
    }

    /** True when no stream has data, a FIN or an ACK of ours still on its way. */
    boolean settled() {
        for (Connection c : byId.values()) {
            if (!c.settled()) {
                return false;
            }
        }
        return true;
    }

    long bufferedBytes() {
        long n = 0;
        for (Connection c : byId.values()) {
            n += c.bufferedBytes();
        }
        return n;
    }

    private static String key(int localPort, Address remote, int remotePort) {
        return localPort + "/" + remote.network() + "/" + remote.node() + "/" + remotePort;
    }
}
