package pilot.core.handshake;

import java.util.Collection;
import java.util.LinkedHashMap;

/**
 * The one bounded table of peers a node holds state for ({@link PeerState}): one bound, {@link
 * HandshakeLimits#maxPeers()} entries of which at most {@link HandshakeLimits#maxHalfOpen()} half-open, and
 * one eviction rule. When a new entry needs room, the victim is an entry nothing of ours depends on (no
 * session, no queued traffic, no handshake of ours running): the one half-open the longest, else the first
 * such entry in insertion order. An established session is never evicted, and neither is a peer our own
 * traffic waits for, so strangers' key-exchange frames cannot push out our own handshakes.
 * Insertion-ordered so eviction and iteration are deterministic on every runtime.
 */
public final class PeerTable {
    private final HandshakeLimits limits;
    private final LinkedHashMap<Integer, PeerState> peers = new LinkedHashMap<>();
    private int halfOpen;

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
        PeerState p = peers.get(node);
        if (p != null) {
            return p;
        }
        boolean halfOpenFull = willBeHalfOpen && halfOpen >= limits.maxHalfOpen();
        if ((halfOpenFull || peers.size() >= limits.maxPeers()) && !evict(halfOpenFull)) {
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
}
