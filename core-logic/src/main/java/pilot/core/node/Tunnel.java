package pilot.core.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.OpenResult;
import pilot.core.handshake.PeerState;
import pilot.core.handshake.PeerTable;
import pilot.core.handshake.TrustSource;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * Everything between a datagram and an authenticated packet, and back: key frames (PILA, PILK), sealed
 * frames (PILS), the traffic queued while a handshake runs, handshake timers and the look-ups the host is
 * asked for. Authenticated packets go up to {@link Upstream#deliver}; a peer it gives up on to
 * {@link Upstream#unreachable}.
 */
final class Tunnel {
    /** Where the tunnel hands what it authenticated, and the peers it gave up on. */
    interface Upstream {
        void deliver(Packet p, long now);

        void unreachable(Address peer, long now);
    }

    private final NodeConfig cfg;
    private final int network;
    private final TrustSource trust;
    private final KeyExchange kx;
    /** The one peer table, shared with the key exchange: tunnel and key state of a peer in one entry. */
    private final PeerTable links;
    /** PILAs from nodes whose key the host is looking up ({@code maxStashedKeyFrames}, oldest first out). */
    private final LinkedHashMap<Integer, Stash> stashed = new LinkedHashMap<>();
    private final LookupAdmission lookups;
    private final NodeOutbox out;
    private final Upstream up;

    private record Stash(AuthKeyFrame frame, Endpoint from) {
    }

    Tunnel(NodeConfig cfg, int network, TrustSource trust, KeyExchange kx, NodeOutbox out, Upstream up) {
        this.cfg = cfg;
        this.network = network;
        this.trust = trust;
        this.kx = kx;
        this.links = kx.peers();
        this.lookups = new LookupAdmission(cfg.handshake());
        this.out = out;
        this.up = up;
    }

    /** One UDP datagram from {@code from}. Malformed or hostile input is dropped and counted, never thrown. */
    void onDatagram(Endpoint from, byte[] datagram, long now) {
        Result<TunnelFrame> decoded = FrameCodec.decode(datagram);
        if (!decoded.isOk()) {
            out.drop(decoded.error());
            return;
        }
        TunnelFrame f = decoded.value();
        switch (f.kind()) {
            case AUTH_KEY -> onAuthFrame((AuthKeyFrame) f, from, now);
            case ANON_KEY -> onAnonFrame((AnonKeyFrame) f, from, datagram.length, now);
            case SEALED -> onSealed((SealedFrame) f, from, now);
            case PLAIN -> {
                if (cfg.acceptPlaintext()) {
                    up.deliver(((PlainFrame) f).packet(), now);
                } else {
                    out.drop(ErrorCode.REFUSED);
                }
            }
            default -> out.drop(ErrorCode.REFUSED); // PILP and beacon messages: nothing to do without a beacon
        }
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

    /** See {@link PilotNode#addPeer}. */
    void addPeer(int node, Endpoint endpoint, long now) {
        PeerState l = link(node, now);
        if (l == null) {
            return;
        }
        l.endpoint = endpoint;
        l.lookupPending = false;
        lookups.resolved(node);
        Stash s = stashed.remove(node);
        if (s != null) {
            onAuthFrame(s.frame, s.from, now);
        }
        if (!kx.hasSession(node) && l.tries == 0 && (!l.queue.isEmpty() || l.reacted)) {
            startHandshake(l, now); // traffic waits, or the peer already tried to talk to us
        }
    }

    /** See {@link PilotNode#peerLookupFailed}. */
    void peerLookupFailed(int node, long now) {
        PeerState l = links.get(node);
        stashed.remove(node);
        lookups.failed(node, now);
        if (l != null) {
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

    /** Sends a packet through the tunnel, queueing it while the session is set up. Null = sent or queued. */
    Result<Void> send(Packet p, long now) {
        int node = p.dst().node();
        PeerState l = link(node, now);
        if (l == null) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "peer table full");
        }
        byte[] packet = PacketCodec.encode(p);
        if (kx.hasSession(node) && l.endpoint != null) {
            out.transmit(l.endpoint, kx.seal(node, packet).value());
            return null;
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

    private void onAuthFrame(AuthKeyFrame f, Endpoint from, long now) {
        HandshakeResult r = kx.onAuthFrame(f, from.toString(), now);
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY) {
            if (mayLookUp(f.senderNode(), now)) {
                stash(f, from);
                requestLookup(f.senderNode(), now);
            } else {
                out.drop(ErrorCode.RATE_LIMITED);
            }
            return;
        }
        if (!r.isOk()) {
            out.drop(r.error());
            return;
        }
        PeerState l = link(f.senderNode(), now);
        if (l == null) {
            out.drop(ErrorCode.TABLE_FULL);
            return;
        }
        if ((r.installed() && r.freshKey()) || l.endpoint == null) {
            // Signed, but a PILA is not replay-protected: only a frame that installed a session with a key
            // never seen from that peer may move its endpoint (spec D.2 step 9), so a copy played back
            // from elsewhere cannot redirect us. Otherwise authenticated PILS move it (onSealed).
            l.endpoint = from;
        }
        if (r.reply() != null) {
            out.transmit(l.endpoint, r.reply());
        }
        if (r.installed()) {
            l.tries = 0;
            l.retryAt = Long.MAX_VALUE;
            out.event(new NodeEvent.PeerUp(new Address(network, l.node)));
        }
        flush(l);
    }

    /**
     * A PILK is unauthenticated and its source unverified; our answer, a PILA, is 3.4 times its size. So it
     * is answered only when that is no amplification: from the endpoint we verified for that node, or when
     * the request was at least as large as the answer. Otherwise it is dropped before any crypto or state.
     */
    private void onAnonFrame(AnonKeyFrame f, Endpoint from, int size, long now) {
        PeerState known = links.get(f.senderNode());
        if (size < AuthKeyFrame.SIZE && (known == null || !from.equals(known.endpoint))) {
            out.drop(ErrorCode.REFUSED);
            return;
        }
        HandshakeResult r = kx.onAnonFrame(f, from.toString(), now);
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY && mayLookUp(f.senderNode(), now)) {
            requestLookup(f.senderNode(), now);
        }
        if (!r.isOk()) {
            out.drop(r.error());
            return;
        }
        out.transmit(from, r.reply());
    }

    private void onSealed(SealedFrame f, Endpoint from, long now) {
        OpenResult r = kx.open(f, now);
        PeerState l = links.get(f.senderNode());
        if (r.rehandshake() != null && l != null) {
            out.transmit(l.endpoint, r.rehandshake()); // our X25519 keys are per peer: never to an unverified endpoint
        }
        Result<Packet> p = r.packet();
        if (!p.isOk()) {
            out.drop(p.error());
            if (p.error() == ErrorCode.NO_SESSION) {
                reactToUnknownSession(f.senderNode(), now);
            }
            return;
        }
        if (l != null) {
            l.endpoint = from; // authenticated: follow the peer if its endpoint changed
        }
        up.deliver(p.value(), now);
    }

    /**
     * The sender has a session we lack (we restarted): send it a fresh PILA, at most once a second. The
     * frame is unauthenticated, so the PILA goes only to the endpoint we already verified for that
     * node (our X25519 keys are per peer; a PILA sent elsewhere would install a key meant for another);
     * without one the host is asked to resolve the node.
     */
    private void reactToUnknownSession(int node, long now) {
        PeerState l = links.get(node);
        if (l != null && (l.tries > 0 || (l.reacted && now - l.lastReactiveHandshake < 1000))) {
            return;
        }
        boolean known = l != null && l.endpoint != null && trust.ed25519KeyFor(node) != null;
        if (!known && !mayLookUp(node, now)) {
            out.drop(ErrorCode.RATE_LIMITED); // before any state is made for a sender id nobody vouched for
            return;
        }
        l = link(node, now);
        if (l == null) {
            return;
        }
        l.reacted = true;
        l.lastReactiveHandshake = now;
        if (!known) {
            requestLookup(node, now); // the host's answer (addPeer) starts the handshake
            return;
        }
        startHandshake(l, now);
    }

    private boolean mayLookUp(int node, long now) {
        PeerState l = links.get(node);
        return lookups.mayLookUp(node, l != null && l.lookupPending, now);
    }

    private void startHandshake(PeerState l, long now) {
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

    private void flush(PeerState l) {
        if (!kx.hasSession(l.node) || l.endpoint == null) {
            return;
        }
        while (!l.queue.isEmpty()) {
            out.transmit(l.endpoint, kx.seal(l.node, l.queue.poll()).value());
        }
        l.queuedBytes = 0;
    }

    private void requestLookup(int node, long now) {
        PeerState l = link(node, now);
        if (l != null && !l.lookupPending) {
            l.lookupPending = true;
            out.event(new NodeEvent.PeerNeeded(new Address(network, node)));
        }
    }

    private void stash(AuthKeyFrame f, Endpoint from) {
        stashed.remove(f.senderNode());
        if (stashed.size() >= cfg.maxStashedKeyFrames()) {
            stashed.remove(stashed.keySet().iterator().next());
        }
        stashed.put(f.senderNode(), new Stash(f, from));
    }

    /** The peer's entry in the one table, made if absent; null when the table is full (its eviction rule). */
    private PeerState link(int node, long now) {
        return links.getOrAllocate(node, now, false);
    }
}
