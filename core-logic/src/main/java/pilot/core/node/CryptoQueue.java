package pilot.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /** A request's continuation: a frame waiting in the outbox for its ciphertext ({@code open} null), or an open under way. */
    static final class Pending {
        final Key key;
        /** The frame a seal fills. */
        final byte[] frame;
        final OpenState open;

        Pending(Key key, byte[] frame, OpenState open) {
            this.key = key;
            this.frame = frame;
            this.open = open;
        }
    }

    /** Where an open under way came from and which session it was asked under (the generation check). */
    static final class OpenState {
        /** The frame; a held one's placeholders give way to the host's bytes in {@link #restore} (never written). */
        SealedFrame frame;
        final Endpoint from;
        final Session under;
        final boolean fallback;
        final int plainLength;
        /** The host's reference when it keeps the frame's bytes (the frame holds placeholders until {@link #restore}). */
        final int hostRef;

        OpenState(SealedFrame frame, Endpoint from, Session under, boolean fallback, int plainLength, int hostRef) {
            this.frame = frame;
            this.from = from;
            this.under = under;
            this.fallback = fallback;
            this.plainLength = plainLength;
            this.hostRef = hostRef;
        }
    }

    /** A key the host holds: its id, the session and peer it belongs to, and the unanswered requests using it. */
    static final class Key {
        final int id;
        final int node;
        final Session session;
        int uses;

        Key(int id, int node, Session session) {
            this.id = id;
            this.node = node;
            this.session = session;
        }
    }

    private final KeyExchange kx;
    private final ArrayDeque<CryptoRequest> requests = new ArrayDeque<>();
    private final HashMap<Integer, Pending> inFlight = new HashMap<>();
    /** By id ({@link Session#hostKey}); insertion order, so drops come in the same order on every runtime. */
    private final LinkedHashMap<Integer, Key> keys = new LinkedHashMap<>();
    private int nextId = 1;
    private int nextKeyId = 1;
    private boolean active;
    private boolean checksums;

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

    /** Whether the host also computes the packets' checksums (seals) and checks them (opens); see {@link PilotNode#deferChecksum}. */
    boolean checksums() {
        return checksums;
    }

    void deferChecksums() {
        checksums = true;
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

    /**
     * Asks for the ciphertext of {@code packet} into {@code frame} (made by {@link KeyExchange#sealFrame});
     * {@code hostRef} not 0: the packet's payload is the host's ({@link CryptoRequest.Seal#hostRef}).
     */
    void seal(int node, Session s, byte[] frame, byte[] aad, byte[] packet, int hostRef) {
        Key k = key(node, s);
        int id = track(new Pending(k, frame, null));
        byte[] nonce = new byte[SealedFrame.NONCE_SIZE];
        System.arraycopy(frame, 8, nonce, 0, SealedFrame.NONCE_SIZE);
        requests.add(new CryptoRequest.Seal(id, k.id, nonce, aad, packet, frame, hostRef));
    }

    /**
     * Asks for the plaintext of {@code f} under {@code under}; {@code hostRef} not 0: the host keeps the frame's
     * ciphertext under it ({@link CryptoRequest.Open#hostRef}; only a datagram's first open names it).
     */
    void open(SealedFrame f, Endpoint from, Session under, boolean fallback, byte[] aad, int hostRef) {
        Key k = key(f.senderNode(), under);
        f.read((nonce, ct) -> {
            int id = track(new Pending(k, null, new OpenState(f, from, under, fallback, ct.length - SealedFrame.TAG_SIZE, hostRef)));
            return requests.add(new CryptoRequest.Open(id, k.id, nonce, aad, ct, hostRef));
        });
    }

    /**
     * Puts the bytes the host kept in place of the placeholders of unanswered open {@code id} (one it asked with a
     * host reference; the placeholders themselves are never written); false, changing nothing, for any other id or a
     * wrong length.
     */
    boolean restore(int id, byte[] ciphertextAndTag) {
        Pending p = inFlight.get(id);
        if (p == null || p.open == null || p.open.hostRef == 0 || ciphertextAndTag == null) {
            return false;
        }
        if (ciphertextAndTag.length != p.open.plainLength + SealedFrame.TAG_SIZE) {
            return false;
        }
        p.open.frame = p.open.frame.withCiphertext(ciphertextAndTag); // the placeholders may stand in for other frames too
        return true;
    }

    /** The continuation of an answered request, or null for an id that is not unanswered (answered twice, or made up). */
    Pending complete(int id) {
        Pending p = inFlight.remove(id);
        if (p != null) {
            p.key.uses--;
        }
        return p;
    }

    private int track(Pending p) {
        int id = nextId;
        while (inFlight.containsKey(id) || id == 0) {
            id++; // wraps after 2^32 requests: skip ids still unanswered
        }
        nextId = id + 1;
        p.key.uses++;
        inFlight.put(id, p);
        return id;
    }

    /** The host's id of the session's key, installing it first (and dropping keys nothing uses any more). */
    private Key key(int node, Session s) {
        Key k = s.hostKey() == 0 ? null : keys.get(s.hostKey());
        if (k != null) {
            return k;
        }
        sweep();
        int id = nextKeyId;
        while (id == 0 || keys.containsKey(id)) {
            id++; // wraps after 2^32 sessions: skip ids still held
        }
        nextKeyId = id + 1;
        k = new Key(id, node, s);
        s.hostKey(id);
        keys.put(id, k);
        requests.add(new CryptoRequest.KeyInstall(id, s.keyBytes()));
        return k;
    }

    /** Drops the keys of sessions the peer table no longer holds and no unanswered request uses. */
    private void sweep() {
        ArrayList<Key> gone = new ArrayList<>();
        for (Key k : keys.values()) {
            if (k.uses == 0 && !kx.holds(k.node, k.session)) {
                gone.add(k);
            }
        }
        for (Key k : gone) {
            keys.remove(k.id);
            k.session.hostKey(0);
            requests.add(new CryptoRequest.KeyDrop(k.id));
        }
    }
}
