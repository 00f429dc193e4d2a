package pilot.core.node;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntPredicate;
import pilot.core.addr.Endpoint;
import pilot.core.handshake.TrustSource;

/**
 * The host's side of PEER_NEEDED, once for every runtime (the JVM host and, through the wasm module, a
 * Worker): look the peer up in the registry (its Ed25519 key), then resolve it (its endpoint), then give
 * the node the peer ({@link Actions#addPeer}) or tell it the look-up failed. Sans-IO: the host pulls
 * {@link Request}s, makes the registry calls itself, and feeds the answers back with the time.
 *
 * <p>Per peer id: idle, waiting for a place in flight, look-up in flight, resolve in flight, or failed-until
 * (the registry does not know it: negative cache). At most {@link #MAX_IN_FLIGHT} peers are in flight; the
 * rest wait, in two bounded queues, and start as answers free places: peers our own side needs (a restored or
 * live session, traffic the application queued: {@link Actions#vouched}) in {@link #MAX_WAITING}, first; the
 * ones only unauthenticated input asked for in {@link #MAX_WAITING_UNVOUCHED}, so that input can never take a
 * place of the first (a Worker woken with hundreds of restored peers resolves them all). What unauthenticated
 * input can cost here is bounded: {@link #MAX_IN_FLIGHT} peers in flight, {@link #MAX_WAITING_UNVOUCHED}
 * waiting, {@link #MAX_FAILED} remembered failures, {@link #MAX_HELD_KEYS} looked-up keys. A looked-up
 * key is only held (the node may verify that peer's PILA with it); it is pinned ({@link Actions#pin}) only
 * once a session with it is confirmed by authenticated traffic, and a pinned key always wins over the
 * registry's. Answers nobody asked for change nothing.
 */
public final class PeerResolver {
    /** Peers being looked up or resolved at once, at most (one registry call each); more wait. */
    public static final int MAX_IN_FLIGHT = 64;
    /**
     * Peers our own side needs ({@link Actions#vouched}) waiting for a place in flight, at most: a whole peer
     * table ({@code HandshakeLimits.DEFAULTS.maxPeers}) restored after a wake fits. Beyond, a PEER_NEEDED fails at once.
     */
    public static final int MAX_WAITING = 1024;
    /**
     * Peers only unauthenticated input asked for, waiting for a place in flight, at most; they start only when no
     * vouched peer waits. Beyond, the oldest of them fails (its stashed frame is likely gone already) and the
     * newcomer waits: hostile input churns its own share, never the vouched queue or a vouched peer's turn.
     */
    public static final int MAX_WAITING_UNVOUCHED = 64;
    /** Looked-up keys held (not pinned) until a session with them is confirmed, at most (oldest out). */
    public static final int MAX_HELD_KEYS = 256;
    /** Ids the registry did not know, remembered at most (oldest out). */
    public static final int MAX_FAILED = 1024;
    /** How long an id the registry did not know fails at once, without asking the registry again. */
    public static final long FAILED_MILLIS = 5_000;

    /**
     * One registry call to make for {@code node}: its look-up (key; the answer goes to {@link #lookedUp}) or
     * its resolve (endpoint; to {@link #resolved}); a failure of either goes to {@link #failed}. A plain
     * class, not a record or an enum: their generated methods would ship in the wasm module.
     */
    public static final class Request {
        private final boolean lookup;
        private final int node;

        Request(boolean lookup, int node) {
            this.lookup = lookup;
            this.node = node;
        }

        /** True: look the key up; false: resolve the endpoint. */
        public boolean lookup() {
            return lookup;
        }

        public int node() {
            return node;
        }
    }

    /** What the resolver does to the node (and the host's pin store). */
    public interface Actions {
        void addPeer(int node, Endpoint endpoint, boolean rehandshake, long now);

        void lookupFailed(int node, long now);

        /** A looked-up key whose session is confirmed: trust it from now on (and persist it, if the host does). */
        void pin(int node, byte[] ed25519);

        /**
         * Whether our own side needs {@code node} ({@link PilotNode#lookupVouched}: a session, authenticated or
         * restored, or traffic the application queued for it); false when only unauthenticated input asked.
         */
        boolean vouched(int node);
    }

    private final TrustSource pinned;
    private final Actions actions;
    /** Peers in flight → {@link #RESOLVING} (else looking up) | {@link #REHANDSHAKE} (a fresh handshake once added). */
    private final Map<Integer, Integer> inFlight = new HashMap<>();
    private static final int RESOLVING = 1;
    private static final int REHANDSHAKE = 2;
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** Peers waiting for a place in flight → {@link #REHANDSHAKE} or 0, oldest first: vouched, then not. */
    private final LinkedHashMap<Integer, Integer> waiting = new LinkedHashMap<>();
    private final LinkedHashMap<Integer, Integer> waitingUnvouched = new LinkedHashMap<>();
    private final LinkedHashMap<Integer, Long> failedUntil = new LinkedHashMap<>();
    /** Looked-up keys not pinned → whether a session with them is up and awaits confirmation. LRU. */
    private final LinkedHashMap<Integer, byte[]> held = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<Integer, Boolean> awaitingConfirmation = new LinkedHashMap<>();

    /** {@code pinned}: the keys the host trusts already (they win over the registry's). */
    public PeerResolver(TrustSource pinned, Actions actions) {
        this.pinned = pinned;
        this.actions = actions;
    }

    /** The node asked for {@code node} (PEER_NEEDED), or the host wants it resolved again ({@code rehandshake}: our endpoint moved). */
    public void peerNeeded(int node, boolean rehandshake, long now) {
        Integer state = inFlight.get(node);
        if (state != null) {
            if (rehandshake) { // one look-up in flight per id; it carries the strongest ask
                inFlight.put(node, state | REHANDSHAKE);
            }
            return;
        }
        Long until = failedUntil.get(node);
        if (until != null && now < until) {
            actions.lookupFailed(node, now);
            return;
        }
        failedUntil.remove(node);
        int ask = rehandshake ? REHANDSHAKE : 0;
        Integer queued = waiting.get(node);
        if (queued != null) {
            waiting.put(node, queued | ask);
            return;
        }
        // the host's own re-ask (our endpoint moved) counts as vouched: unauthenticated input never sets it
        boolean vouched = rehandshake || actions.vouched(node);
        Integer stranger = waitingUnvouched.get(node);
        if (stranger != null && !vouched) {
            return;
        }
        if (stranger != null) { // now our side needs it too: it moves to the vouched queue
            waitingUnvouched.remove(node);
            ask |= stranger;
        }
        if (inFlight.size() < MAX_IN_FLIGHT) {
            start(node, ask);
        } else if (vouched) {
            if (waiting.size() >= MAX_WAITING) {
                actions.lookupFailed(node, now);
                return;
            }
            waiting.put(node, ask);
        } else {
            if (waitingUnvouched.size() >= MAX_WAITING_UNVOUCHED) {
                promoteVouched(); // ids our side came to need meanwhile are not a stranger's to lose
            }
            if (waitingUnvouched.size() >= MAX_WAITING_UNVOUCHED) {
                Integer oldest = waitingUnvouched.keySet().iterator().next();
                waitingUnvouched.remove(oldest);
                actions.lookupFailed(oldest, now);
            }
            waitingUnvouched.put(node, ask);
        }
    }

    private void start(int node, int ask) {
        inFlight.put(node, ask);
        requests.add(new Request(true, node));
    }

    /**
     * Moves the strangers' waiting ids our side now vouches for to the vouched queue (as room allows): the node asks
     * once per pending look-up, so queued traffic for an id a stranger's frame named first never asks again. At most
     * {@link #MAX_WAITING_UNVOUCHED} questions to the node, only when a place frees or the strangers' queue is full.
     */
    private void promoteVouched() {
        int[] moving = new int[waitingUnvouched.size()];
        int n = 0;
        for (Integer node : waitingUnvouched.keySet()) {
            if (n < MAX_WAITING - waiting.size() && actions.vouched(node)) {
                moving[n++] = node;
            }
        }
        for (int i = 0; i < n; i++) {
            waiting.put(moving[i], waitingUnvouched.remove(moving[i]));
        }
    }

    /** A place in flight came free: the oldest waiting peer takes it, a vouched one first. */
    private void startWaiting() {
        if (!waitingUnvouched.isEmpty()) {
            promoteVouched();
        }
        while (inFlight.size() < MAX_IN_FLIGHT) {
            LinkedHashMap<Integer, Integer> from = waiting.isEmpty() ? waitingUnvouched : waiting;
            if (from.isEmpty()) {
                return;
            }
            Integer node = from.keySet().iterator().next();
            start(node, from.remove(node));
        }
    }

    /** The next registry call to make, or null. */
    public Request pollRequest() {
        return requests.poll();
    }

    /** The registry gave {@code node}'s key. A key other than the pinned one fails the look-up. */
    public void lookedUp(int node, byte[] ed25519, long now) {
        Integer state = inFlight.get(node);
        if (state == null || (state & RESOLVING) != 0) {
            return; // nobody asked
        }
        byte[] pin = pinned.ed25519KeyFor(node);
        if (ed25519 == null || ed25519.length != 32 || pin != null && !java.util.Arrays.equals(pin, ed25519)) {
            inFlight.remove(node);
            actions.lookupFailed(node, now);
            startWaiting();
            return;
        }
        if (pin == null) {
            held.put(node, ed25519.clone());
            if (held.size() > MAX_HELD_KEYS) {
                Integer oldest = held.keySet().iterator().next();
                held.remove(oldest);
                awaitingConfirmation.remove(oldest);
            }
        }
        inFlight.put(node, state | RESOLVING);
        requests.add(new Request(false, node));
    }

    /** The registry gave {@code node}'s endpoint: the node gets the peer. */
    public void resolved(int node, Endpoint endpoint, long now) {
        Integer state = inFlight.get(node);
        if (state != null && (state & RESOLVING) != 0) {
            inFlight.remove(node);
            actions.addPeer(node, endpoint, (state & REHANDSHAKE) != 0, now);
            startWaiting();
        }
    }

    /**
     * The look-up or resolve of {@code node} failed; {@code unknown}: the registry does not know the id (it
     * fails at once for {@link #FAILED_MILLIS}), else a transport error (the next PEER_NEEDED asks again).
     */
    public void failed(int node, boolean unknown, long now) {
        if (inFlight.remove(node) == null) {
            return; // nobody asked
        }
        if (unknown) {
            failedUntil.remove(node);
            if (failedUntil.size() >= MAX_FAILED) {
                failedUntil.remove(failedUntil.keySet().iterator().next());
            }
            failedUntil.put(node, now + FAILED_MILLIS);
        }
        actions.lookupFailed(node, now);
        startWaiting();
    }

    /** A session with {@code node} came up (PEER_UP): its held key is pinned once {@link #confirm} sees traffic authenticate. */
    public void sessionUp(int node) {
        if (held.containsKey(node)) {
            awaitingConfirmation.put(node, Boolean.TRUE);
        }
    }

    /** Pins the held keys whose session {@code confirmed} says authenticated traffic has confirmed. */
    public void confirm(IntPredicate confirmed) {
        for (Iterator<Integer> it = awaitingConfirmation.keySet().iterator(); it.hasNext(); ) {
            int node = it.next();
            if (!held.containsKey(node)) {
                it.remove(); // forgotten before confirmation: not pinned
            } else if (confirmed.test(node)) {
                it.remove();
                actions.pin(node, held.remove(node));
            }
        }
    }

    /** The trust the node sees: a pinned key, else one looked up for a handshake still in progress. */
    public byte[] trustedKey(int node) {
        byte[] k = pinned.ed25519KeyFor(node);
        if (k == null) {
            byte[] h = held.get(node);
            k = h == null ? null : h.clone();
        }
        return k;
    }

    /** Peers being looked up or resolved now. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Peers waiting for a place in flight now (vouched or not). */
    public int waiting() {
        return waiting.size() + waitingUnvouched.size();
    }

    /** Looked-up keys held now (not pinned). */
    public int heldKeys() {
        return held.size();
    }
}
