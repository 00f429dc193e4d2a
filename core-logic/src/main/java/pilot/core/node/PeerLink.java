package pilot.core.node;

import java.util.ArrayDeque;
import pilot.core.addr.Endpoint;

/** The tunnel to one peer node: where it is, what waits for its session, and handshake retries. */
final class PeerLink {
    final int node;
    Endpoint endpoint;
    /** Marshalled packets waiting for the session. */
    final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    int queuedBytes;
    /** PILA transmissions so far in the current attempt (0 = not handshaking). */
    int tries;
    long retryAt = Long.MAX_VALUE;
    long retryDelay;
    /** A PEER_NEEDED event is out and unanswered. */
    boolean lookupPending;
    /** Last time we reacted to an unopenable PILS with a PILA (rate limit); meaningful once {@link #reacted}. */
    long lastReactiveHandshake;
    boolean reacted;

    PeerLink(int node) {
        this.node = node;
    }

    void clearQueue() {
        queue.clear();
        queuedBytes = 0;
    }
}
