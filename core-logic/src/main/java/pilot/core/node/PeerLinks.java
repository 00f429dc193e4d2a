package pilot.core.node;

import java.util.ArrayList;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.envelope.Session;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.PeerState;
import pilot.core.handshake.PeerTable;
import pilot.core.handshake.TrustSource;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * Our side of each peer's link: packets sealed to it, or queued ({@code maxQueuedPerPeer}) while its session
 * is set up; the handshake that sets it up (start, retries with back-off, giving up); the look-ups the host
 * is asked for, and which of them unauthenticated input may trigger ({@link LookupAdmission}).
 */
final class PeerLinks {
    /**
     * A ping of ours that timed out asks the host where its peer is now ({@link #pingTimedOut}) at most once per
     * this long per peer: the ping sent right after an ask, before its answer, times out too, and asking again
     * then would only cost the registry another round.
     */
    static final long REASK_MILLIS = 10_000;
    private final NodeConfig cfg;
    private final int network;
    private final TrustSource trust;
    private final KeyExchange kx;
    /** The one peer table, shared with the key exchange: tunnel and key state of a peer in one entry. */
    private final PeerTable links;
    private final LookupAdmission lookups;
    private final NodeOutbox out;
    private final Tunnel.Upstream up;
    /** Where seals go when the AEAD is an effect ({@link CryptoQueue#active()}). */
    private final CryptoQueue crypto;

    PeerLinks(NodeConfig cfg, int network, TrustSource trust, KeyExchange kx, NodeOutbox out, Tunnel.Upstream up,
              CryptoQueue crypto) {
        this.cfg = cfg;
        this.network = network;
        this.trust = trust;
        this.kx = kx;
        this.links = kx.peers();
        this.lookups = new LookupAdmission(cfg.handshake());
        this.out = out;
        this.up = up;
        this.crypto = crypto;
    }

    /** The earliest handshake retry; {@code Long.MAX_VALUE} when none is scheduled. */
    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (PeerState l : links.values()) {
            d = Math.min(d, l.retryAt);
        }
        return d;
    }

    /** Runs every handshake retry due at {@code now}. */
    void onTimeout(long now) {
        for (PeerState l : new ArrayList<>(links.values())) {
            if (l.retryAt <= now) {
                onHandshakeTimer(l, now);
            }
        }
    }

    /**
     * The host could not resolve {@code node}: it goes into the negative cache and its waiting traffic fails. A peer
     * with a session and nothing waiting is left as it is (the look-up was a re-ask or a wake's
     * check, and a registry that cannot answer proves nothing about a peer whose frames open): giving it up would
     * end every stream to it.
     */
    void lookupFailed(int node, long now) {
        PeerState l = links.get(node);
        lookups.failed(node, now);
        if (l != null && l.queue.isEmpty() && kx.hasSession(node)) {
            l.lookupPending = false;
        } else if (l != null) {
            giveUp(l, now);
        }
    }

    /** See {@link PilotNode#rehandshake}. */
    boolean rehandshake(int node, long now) {
        PeerState l = links.get(node);
        if (l == null || l.endpoint == null || l.tries > 0 || !kx.hasSession(node)) {
            return false;
        }
        startHandshake(l, now);
        return l.tries > 0;
    }

    /** Asks the host to resolve every peer in the table again (after a restore; no handshake follows). */
    void lookUpAll(long now) {
        for (PeerState l : new ArrayList<>(links.values())) {
            requestLookup(l.node, now);
        }
    }

    int peerCount() {
        return links.size();
    }

    /** Bytes of packets queued while their handshakes run. */
    long queuedBytes() {
        long n = 0;
        for (PeerState l : links.values()) {
            n += l.queuedBytes;
        }
        return n;
    }

    /**
     * Sends a packet through the tunnel, queueing it while the session is set up. Null = sent or queued.
     * {@code hostRef} not 0: the payload is the host's ({@link PilotNode#sendDatagram(Address, int, byte[], int, long)}),
     * refused with NO_SESSION before anything changes unless the host seals the packet at once, checksum included.
     */
    Result<Void> send(Packet p, int hostRef, long now) {
        int node = p.dst().node();
        boolean session = kx.hasSession(node);
        if (hostRef != 0 && !(session && crypto.checksums())) {
            return notAtOnce(); // before anything changes: the host sends the bytes instead
        }
        // ours, or an answer to a peer whose session authenticated it (it has an entry); with plaintext accepted an
        // answer may go to an unauthenticated sender, which must not evict an idle session
        PeerState l = cfg.acceptPlaintext() ? link(node, now) : kx.linkForOwnTraffic(node, now);
        if (l == null) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "peer table full");
        }
        // with the checksum deferred the host writes it when it seals (every packet of this node is sealed by the host)
        byte[] packet = crypto.checksums() ? PacketCodec.encodeWithoutChecksum(p) : PacketCodec.encode(p);
        if (session && l.endpoint != null) {
            sealAndSend(l, packet, hostRef);
            return null;
        }
        if (hostRef != 0) {
            return notAtOnce(); // a session without an endpoint: its entry was there, nothing changed
        }
        if (l.queue.size() >= cfg.maxQueuedPerPeer()) {
            out.drop(ErrorCode.LIMIT_REACHED);
            return null; // the stream layer retransmits; datagrams are unreliable anyway
        }
        l.queue.add(packet);
        l.queuedBytes += packet.length;
        if (l.endpoint == null || trust.ed25519KeyFor(node) == null) {
            requestLookup(node, now);
        } else if (l.tries == 0) {
            startHandshake(l, now);
        }
        return null;
    }

    /** The peer's entry, or null; never makes one. */
    PeerState get(int node) {
        return links.get(node);
    }

    /** The peer's entry in the one table, made if absent; null when the table is full (its eviction rule). */
    PeerState link(int node, long now) {
        return links.getOrAllocate(node, now, false);
    }

    /** A packet whose payload the host keeps, to a peer it cannot be sealed for at once. */
    private static Result<Void> notAtOnce() {
        return Result.fail(ErrorCode.NO_SESSION, "not sealed at once: send the payload");
    }

    /** Whether unauthenticated input may make the host look {@code node} up (see {@link LookupAdmission}). */
    boolean mayLookUp(int node, long now) {
        PeerState l = links.get(node);
        return lookups.mayLookUp(node, l != null && l.lookupPending, now);
    }

    /** See {@link PilotNode#lookupVouched}: a session exists, or queued packets (only local sends queue). */
    boolean vouched(int node) {
        PeerState l = links.get(node);
        return kx.hasSession(node) || l != null && !l.queue.isEmpty();
    }

    /** The host resolved {@code node}: unauthenticated input may ask for it again. */
    void resolved(int node) {
        lookups.resolved(node);
    }

    void startHandshake(PeerState l, long now) {
        Result<byte[]> pila = kx.startHandshake(l.node, now);
        if (!pila.isOk()) {
            out.drop(pila.error());
            return;
        }
        l.tries = 1;
        l.retryDelay = cfg.handshakeRetryMillis();
        l.retryAt = now + l.retryDelay;
        out.transmit(l.endpoint, pila.value());
    }

    /** Sends what waited for the session, once it and an endpoint are there. */
    void flush(PeerState l) {
        if (!kx.hasSession(l.node) || l.endpoint == null) {
            return;
        }
        while (!l.queue.isEmpty()) {
            sealAndSend(l, l.queue.poll(), 0);
        }
        l.queuedBytes = 0;
    }

    /**
     * Seals a packet to a peer with a session and an endpoint and queues the frame: at once, or (AEAD as an
     * effect) with its counter taken now and its place in the outbox kept until the host's ciphertext fills it.
     */
    private void sealAndSend(PeerState l, byte[] packet, int hostRef) {
        if (!crypto.active()) {
            out.transmit(l.endpoint, kx.seal(l.node, packet).value());
            return;
        }
        byte[] frame = kx.sealFrame(l.node, packet.length);
        if (out.transmitLater(l.endpoint, frame)) {
            Session s = kx.session(l.node);
            crypto.seal(l.node, s, frame, s.profile().aad(kx.localNode()), packet, hostRef);
        }
    }

    /**
     * Our ping to {@code node} got no pong: the peer may have restarted on another port (re-registered there) while
     * our session points at the dead one, so the host is asked where it is now, through {@link #requestLookup}
     * (nothing more while a look-up is out; its answer is the same news), at most once per {@link #REASK_MILLIS},
     * stamped in the peer's own entry: the peer table bounds it. A peer whose entry is gone (evicted meanwhile) asks
     * nothing and gets none: its next packet looks it up anyway. Only our own pings' timeouts get here, never a frame.
     */
    void pingTimedOut(int node, long now) {
        PeerState l = links.get(node);
        if (l != null && now - l.lastReAsk >= REASK_MILLIS) {
            l.lastReAsk = now;
            requestLookup(node, now);
        }
    }

    /** PEER_NEEDED, once per outstanding look-up. */
    void requestLookup(int node, long now) {
        PeerState l = link(node, now);
        if (l == null) {
            // the table is full (sessions): the stashed PILA that asked, once its key is known, may still take
            // an idle session's place (Tunnel.addPeer); the callers rate-limit look-ups for unauthenticated input
            out.event(new NodeEvent.PeerNeeded(new Address(network, node)));
            return;
        }
        if (!l.lookupPending) {
            l.lookupPending = true;
            out.event(new NodeEvent.PeerNeeded(new Address(network, node)));
        }
    }

    private void onHandshakeTimer(PeerState l, long now) {
        if (kx.hasSession(l.node)) {
            l.tries = 0;
            l.retryAt = Long.MAX_VALUE;
            return;
        }
        if (l.tries >= cfg.handshakeTries()) {
            giveUp(l, now);
            return;
        }
        // Every retry uses a fresh X25519 key: a peer that already installed our previous key only
        // answers a changed one (spec D.2 consequences).
        Result<byte[]> pila = kx.startHandshake(l.node, now);
        l.tries++;
        l.retryDelay = Math.min(l.retryDelay * 2, cfg.handshakeMaxRetryMillis());
        l.retryAt = now + l.retryDelay;
        if (pila.isOk()) {
            out.transmit(l.endpoint, pila.value());
        }
    }

    private void giveUp(PeerState l, long now) {
        Address peer = new Address(network, l.node);
        l.clearQueue();
        l.tries = 0;
        l.retryAt = Long.MAX_VALUE;
        l.lookupPending = false;
        if (!kx.hasSession(l.node)) {
            kx.forget(l.node);
            lookups.failed(l.node, now); // its handshake failed: strangers' frames do not retry it soon
        }
        out.event(new NodeEvent.PeerUnreachable(peer, ErrorCode.PEER_UNREACHABLE));
        up.unreachable(peer, now);
    }
}
