package pilot.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import pilot.core.addr.Endpoint;
import pilot.core.envelope.Session;
import pilot.core.frame.SealedFrame;
import pilot.core.handshake.KeyExchange;

/**
 * The AEAD as an effect (docs/ARCHITECTURE.md "Built: AEAD as an effect"): the requests a node made of its
 * host, in order, what each one continues when it is answered, and which session keys the host holds.
 * At most {@link #MAX_IN_FLIGHT} seals and opens are unanswered before the node refuses more work (inbound
 * sealed frames are dropped and counted, stream writes told to wait). Keys are installed on first use and
 * dropped once neither a session of the peer table nor an unanswered request uses them; the host therefore
 * holds at most two keys per peer (current and previous session) plus those of unanswered requests.
 */
final class CryptoQueue {
    /** Seals and opens unanswered at most before inbound sealed frames are dropped and writers wait. */
    static final int MAX_IN_FLIGHT = 256;

    /** A request's continuation: a frame waiting in the outbox for its ciphertext, or an open under way. */
    sealed interface Pending {
        Key key();
    }

    record SealPending(Key key, byte[] frame) implements Pending {
    }

    record OpenPending(Key key, SealedFrame frame, Endpoint from, Session under, boolean fallback, int plainLength)
            implements Pending {
    }

    /** A key the host holds: its id, the peer whose session it is, and the unanswered requests using it. */
    static final class Key {
        final int id;
        final int node;
        int uses;

        Key(int id, int node) {
            this.id = id;
            this.node = node;
        }
    }

    private final KeyExchange kx;
    private final ArrayDeque<CryptoRequest> requests = new ArrayDeque<>();
    private final HashMap<Integer, Pending> inFlight = new HashMap<>();
    /** By session (identity: Session keeps Object's equals); insertion order, so drops come in the same order on every runtime. */
    private final LinkedHashMap<Session, Key> keys = new LinkedHashMap<>();
    private int nextId = 1;
    private int nextKeyId = 1;
    private boolean active;

    CryptoQueue(KeyExchange kx) {
        this.kx = kx;
    }

    /** Whether seals and opens go to the host (else the node runs its suite's AEAD inside each call). */
    boolean active() {
        return active;
    }

    void activate() {
        active = true;
    }

    /** Unanswered seals and opens. */
    int inFlight() {
        return inFlight.size();
    }

    boolean full() {
        return inFlight.size() >= MAX_IN_FLIGHT;
    }

    /** Keys the host holds for this node now. */
    int keyCount() {
        return keys.size();
    }

    CryptoRequest poll() {
        return requests.poll();
    }

    /** Asks for the ciphertext of {@code packet} into {@code frame} (made by {@link KeyExchange#sealFrame}). */
    void seal(int node, Session s, byte[] frame, byte[] aad, byte[] packet) {
        Key k = key(node, s);
        int id = track(new SealPending(k, frame));
        byte[] nonce = new byte[SealedFrame.NONCE_SIZE];
        System.arraycopy(frame, 8, nonce, 0, SealedFrame.NONCE_SIZE);
        requests.add(new CryptoRequest.Seal(id, k.id, nonce, aad, packet));
    }

    /** Asks for the plaintext of {@code f} under {@code under}. */
    void open(SealedFrame f, Endpoint from, Session under, boolean fallback, byte[] aad) {
        Key k = key(f.senderNode(), under);
        f.read((nonce, ct) -> {
            int id = track(new OpenPending(k, f, from, under, fallback, ct.length - SealedFrame.TAG_SIZE));
            return requests.add(new CryptoRequest.Open(id, k.id, nonce, aad, ct));
        });
    }

    /** The continuation of an answered request, or null for an id that is not unanswered (answered twice, or made up). */
    Pending complete(int id) {
        Pending p = inFlight.remove(id);
        if (p != null) {
            p.key().uses--;
        }
        return p;
    }

    private int track(Pending p) {
        int id = nextId;
        while (inFlight.containsKey(id) || id == 0) {
            id++; // wraps after 2^32 requests: skip ids still unanswered
        }
        nextId = id + 1;
        p.key().uses++;
        inFlight.put(id, p);
        return id;
    }

    /** The host's id of the session's key, installing it first (and dropping keys nothing uses any more). */
    private Key key(int node, Session s) {
        Key k = keys.get(s);
        if (k != null) {
            return k;
        }
        sweep();
        k = new Key(nextKeyId, node);
        nextKeyId = nextKeyId == Integer.MAX_VALUE ? 1 : nextKeyId + 1;
        keys.put(s, k);
        requests.add(new CryptoRequest.KeyInstall(k.id, s.keyBytes()));
        return k;
    }

    /** Drops the keys of sessions the peer table no longer holds and no unanswered request uses. */
    private void sweep() {
        ArrayList<Session> gone = new ArrayList<>();
        for (Map.Entry<Session, Key> e : keys.entrySet()) {
            if (e.getValue().uses == 0 && !kx.holds(e.getValue().node, e.getKey())) {
                gone.add(e.getKey());
            }
        }
        for (Session s : gone) {
            requests.add(new CryptoRequest.KeyDrop(keys.remove(s).id));
        }
    }
}
