package pilot.core.handshake;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one bounded table of peers a node holds state for ({@link PeerState}): one bound, {@link
 * HandshakeLimits#maxPeers()} entries of which at most {@link HandshakeLimits#maxHalfOpen()} half-open, and
 * one eviction rule. When a new entry needs room, the victim is an entry nothing of ours depends on (no
 * session, no queued traffic, no handshake of ours running): the one half-open the longest, else the first
 * such entry in insertion order. A peer our own traffic waits for is never evicted, so strangers'
 * key-exchange frames cannot push out our own handshakes. A session is evicted only to make room for a peer
 * that proved its key (a verified PILA) or that our own application sends to ({@link #getOrAllocate(int, long,
 * boolean, boolean)}), and only a session idle for {@link #IDLE_SESSION_MILLIS}: no authenticated frame from its
 * peer since then (its install or restore counts), nothing queued, no handshake of ours, no stream of the node
 * with it ({@link #keepWhileIn}); the one idle the longest goes. Before, 1,024 sessions of free registry keys
 * that never sent a frame locked every new peer out until a restart (probe, Nov 30).
 * Insertion-ordered so eviction and iteration are deterministic on every runtime.
 */
public final class PeerTable {
    /** A session with no authenticated frame for this long may make room for a new authenticated peer. */
    public static final long IDLE_SESSION_MILLIS = 60_000;
    private final HandshakeLimits limits;
    private final LinkedHashMap<Integer, PeerState> peers = new LinkedHashMap<>();
    private int halfOpen;
    /** Nodes the node's other layers still use (streams): their sessions are never evicted as idle; null = none. */
    private Supplier<Set<Integer>> inUse;
    private long idleEvictions;

    PeerTable(HandshakeLimits limits) {
        this.limits = limits;
    }

    public PeerState get(int node) {
        return peers.get(node);
    }

    /**
     * The entry for {@code node}, created within the bounds if absent; {@code null} when the table is full
     * and nothing may be evicted. {@code willBeHalfOpen}: the new entry is about to start a handshake, so the
     * half-open bound applies too.
     */
    public PeerState getOrAllocate(int node, long now, boolean willBeHalfOpen) {
        return getOrAllocate(node, now, willBeHalfOpen, false);
    }

    /**
     * As {@link #getOrAllocate(int, long, boolean)}; {@code mayEvictIdleSession}: the caller is authenticated
     * (a verified PILA, our own application) and may take the place of a session idle for
     * {@link #IDLE_SESSION_MILLIS}. That costs one walk over the table, only when it is full and nothing
     * else may go: at most {@code maxPeers} entries per verified PILA (which the key-exchange limits bound).
     */
    public PeerState getOrAllocate(int node, long now, boolean willBeHalfOpen, boolean mayEvictIdleSession) {
        PeerState p = peers.get(node);
        if (p != null) {
            return p;
        }
        boolean halfOpenFull = willBeHalfOpen && halfOpen >= limits.maxHalfOpen();
        if ((halfOpenFull || peers.size() >= limits.maxPeers()) && !evict(halfOpenFull)
                && (halfOpenFull || !mayEvictIdleSession || !evictIdleSession(now))) {
            return null;
        }
        p = new PeerState(node, limits.retiredKeysPerPeer(), now);
        peers.put(node, p);
        return p;
    }

    /**
     * Whether the existing entry {@code p} may become half-open within {@link HandshakeLimits#maxHalfOpen()},
     * evicting the longest half-open evictable entry if that makes room.
     */
    boolean admitHalfOpen(PeerState p) {
        return p.isHalfOpen() || halfOpen < limits.maxHalfOpen() || evict(true);
    }

    /** Drops a peer's entry; returns it, or null. */
    public PeerState remove(int node) {
        PeerState p = peers.remove(node);
        if (p != null && p.isHalfOpen()) {
            halfOpen--;
        }
        return p;
    }

    /** All entries in insertion order (a live view: copy before removing while iterating). */
    public Collection<PeerState> values() {
        return peers.values();
    }

    public int size() {
        return peers.size();
    }

    public int halfOpenCount() {
        return halfOpen;
    }

    /** Sessions evicted as idle so far (each dropped a session: the snapshot must follow). */
    public long idleEvictions() {
        return idleEvictions;
    }

    /** Tells the table which nodes the node's other layers still use (their sessions are never idle). */
    public void keepWhileIn(Supplier<Set<Integer>> nodesInUse) {
        this.inUse = nodesInUse;
    }

    void markHalfOpen(PeerState p, long now) {
        if (!p.isHalfOpen()) {
            halfOpen++;
        }
        p.state = HandshakeState.INITIATED;
        p.halfOpenSince = now;
    }

    /** Leaves the half-open state (the caller sets the new state). */
    void clearHalfOpen(PeerState p) {
        if (p.isHalfOpen()) {
            halfOpen--;
        }
        p.halfOpenSince = -1;
    }

    private boolean evict(boolean halfOpenOnly) {
        PeerState victim = null;
        for (PeerState p : peers.values()) {
            if (p.isEvictable() && p.isHalfOpen() && (victim == null || p.halfOpenSince < victim.halfOpenSince)) {
                victim = p;
            }
        }
        if (victim == null && !halfOpenOnly) {
            for (PeerState p : peers.values()) {
                if (p.isEvictable()) {
                    victim = p;
                    break;
                }
            }
        }
        if (victim == null) {
            return false;
        }
        remove(victim.node);
        return true;
    }

    /** The session idle the longest, if one is idle enough and nothing depends on it (class comment). */
    private boolean evictIdleSession(long now) {
        PeerState victim = null;
        Set<Integer> used = null;
        for (PeerState p : peers.values()) {
            if (p.session == null || !p.queue.isEmpty() || p.tries != 0 || now - p.lastAuthenticated < IDLE_SESSION_MILLIS
                    || (victim != null && p.lastAuthenticated >= victim.lastAuthenticated)) {
                continue;
            }
            if (used == null && inUse != null) {
                used = inUse.get(); // asked once per walk, and only when a candidate exists
            }
            if (used == null || !used.contains(p.node)) {
                victim = p;
            }
        }
        if (victim == null) {
            return false;
        }
        remove(victim.node);
        idleEvictions++;
        return true;
    }
}
