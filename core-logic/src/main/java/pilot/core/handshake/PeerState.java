package pilot.core.handshake;

import java.util.ArrayDeque;
import java.util.Arrays;
import pilot.core.addr.Endpoint;
import pilot.core.envelope.Session;

/**
 * Everything a node holds for one peer, in one record of the one {@link PeerTable}: the key-exchange part
 * (package-private, moved only by {@link KeyExchange}) and the tunnel part (public, kept by the node: where
 * the peer is, what waits for its session, handshake retries and look-ups).
 */
public final class PeerState {
    public final int node;

    // ---------------------------------------------------------------- key exchange (KeyExchange only)
    /** Our current X25519 pair for this peer and the signed PILA announcing it. */
    byte[] ourPrivate;
    byte[] ourFrame;
    /** Installed key state, or null. */
    Session session;
    /** The session the last install replaced: it still opens late packets sealed under it, nothing else. */
    Session previous;
    /** Where the exchange stands; {@link HandshakeState#CONFIRMED}: traffic authenticated under {@link #session}. */
    HandshakeState state = HandshakeState.IDLE;
    /** The session was derived with our current private key (false after we rotate it). */
    boolean sessionFromCurrentKey;
    /** When the current {@link HandshakeState#INITIATED} state began, else -1. */
    long halfOpenSince = -1;
    long lastActivity;
    /** Last time a frame authenticated under a session of this peer (or the session was installed). */
    long lastAuthenticated;
    /** Last time a PILS frame of this peer opened under one of its sessions (replay-protected: not a replayed PILA). */
    long lastFrameOpened = Long.MIN_VALUE / 4;
    /** Last time a failure run made us start a re-handshake (at most one per grace period). */
    long lastFailureRehandshake = Long.MIN_VALUE / 4;
    int aeadRun;
    int tooOldRun;
    int replayRun;
    /** The Ed25519 key a restored snapshot carried, used when the host's trust source has none. */
    byte[] restoredEd25519;
    private final byte[][] retired;
    private int retiredNext;

    // ---------------------------------------------------------------- tunnel (the node's)
    /** Where the peer's datagrams go; null until resolved or verified. */
    public Endpoint endpoint;
    /** Marshalled packets waiting for the session. */
    public final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    public int queuedBytes;
    /** PILA transmissions so far in the current attempt of ours (0 = we run no handshake). */
    public int tries;
    public long retryAt = Long.MAX_VALUE;
    public long retryDelay;
    /** A PEER_NEEDED event is out and unanswered. */
    public boolean lookupPending;
    /** Last time a ping timeout of ours asked where the peer is (the node's {@code PeerLinks.REASK_MILLIS}). */
    public long lastReAsk = Long.MIN_VALUE / 4;
    /** Last time we reacted to an unopenable PILS with a PILA (rate limit); meaningful once {@link #reacted}. */
    public long lastReactiveHandshake;
    public boolean reacted;

    PeerState(int node, int retiredKeys, long now) {
        this.node = node;
        this.retired = new byte[retiredKeys][];
        this.lastActivity = now;
    }

    /** Where the key exchange stands. */
    public HandshakeState state() {
        return state;
    }

    public boolean hasSession() {
        return session != null;
    }

    public void clearQueue() {
        queue.clear();
        queuedBytes = 0;
    }

    boolean isHalfOpen() {
        return state == HandshakeState.INITIATED;
    }

    /** Nothing of ours depends on this entry: no session, no traffic waiting, no handshake of ours running. */
    boolean isEvictable() {
        return session == null && queue.isEmpty() && tries == 0;
    }

    void retire(byte[] peerX25519) {
        if (retired.length > 0) {
            retired[retiredNext] = peerX25519;
            retiredNext = (retiredNext + 1) % retired.length;
        }
    }

    boolean isRetired(byte[] peerX25519) {
        for (byte[] k : retired) {
            if (k != null && Arrays.equals(k, peerX25519)) {
                return true;
            }
        }
        return false;
    }

    void resetFailures() {
        aeadRun = 0;
        tooOldRun = 0;
        replayRun = 0;
    }
}
