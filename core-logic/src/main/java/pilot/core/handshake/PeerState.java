package pilot.core.handshake;

import java.util.Arrays;
import pilot.core.envelope.Session;

/** Key-exchange state for one peer node. Owned and mutated only by {@link KeyExchange}. */
final class PeerState {
    final int node;
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
    /** Last time a failure run made us start a re-handshake (at most one per grace period). */
    long lastFailureRehandshake = Long.MIN_VALUE / 4;
    int aeadRun;
    int tooOldRun;
    int replayRun;
    private final byte[][] retired;
    private int retiredNext;

    PeerState(int node, int retiredKeys, long now) {
        this.node = node;
        this.retired = new byte[retiredKeys][];
        this.lastActivity = now;
    }

    boolean isHalfOpen() {
        return state == HandshakeState.INITIATED;
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
