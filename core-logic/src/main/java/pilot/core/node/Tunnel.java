package pilot.core.node;

import java.util.LinkedHashMap;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.envelope.Envelope;
import pilot.core.frame.Magic;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.OpenResult;
import pilot.core.handshake.OpenStep;
import pilot.core.handshake.PeerState;
import pilot.core.handshake.TrustSource;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;

/**
 * Everything between a received datagram and an authenticated packet: key frames (PILA, PILK, and the PILAs
 * stashed while the host looks their sender up), sealed frames (PILS), the reaction to a session we lack, and
 * the host's answers to look-ups. Authenticated packets go up to {@link Upstream#deliver}; the way back
 * (sealing, queueing, handshakes, giving up on a peer) is {@link PeerLinks}.
 */
final class Tunnel {
    /** Where the tunnel hands what it authenticated, and the peers {@link PeerLinks} gave up on. */
    interface Upstream {
        void deliver(Packet p, long now);

        void unreachable(Address peer, long now);
    }

    private final NodeConfig cfg;
    private final int network;
    private final TrustSource trust;
    private final KeyExchange kx;
    private final PeerLinks links;
    /** PILAs from nodes whose key the host is looking up ({@code maxStashedKeyFrames}, oldest first out). */
    private final LinkedHashMap<Integer, Stash> stashed = new LinkedHashMap<>();
    private final NodeOutbox out;
    private final Upstream up;
    private final CryptoQueue crypto;

    private record Stash(AuthKeyFrame frame, Endpoint from) {
    }

    Tunnel(NodeConfig cfg, int network, TrustSource trust, KeyExchange kx, PeerLinks links, NodeOutbox out, Upstream up,
           CryptoQueue crypto) {
        this.cfg = cfg;
        this.network = network;
        this.trust = trust;
        this.kx = kx;
        this.links = links;
        this.out = out;
        this.up = up;
        this.crypto = crypto;
    }

    /**
     * One UDP datagram from {@code from}. Malformed or hostile input is dropped and counted, never thrown.
     * {@code hostRef} not 0: a sealed frame whose ciphertext ‖ tag the host keeps under it, {@code datagram} its
     * header and {@code placeholders} never written here ({@link PilotNode#handleDatagram(Endpoint, byte[],
     * byte[], int, long)}); true when the open request it made names {@code hostRef}.
     */
    boolean onDatagram(Endpoint from, byte[] datagram, byte[] placeholders, int hostRef, long now) {
        if (crypto.full() && datagram.length >= Magic.SIZE && Bytes.i32(datagram, 0) == Magic.PILS) {
            out.drop(ErrorCode.LIMIT_REACHED); // the host's AEAD is at its bound: before any work
            return false;
        }
        Result<TunnelFrame> decoded = hostRef != 0 ? FrameCodec.decodeHeld(datagram, placeholders) : FrameCodec.decode(datagram);
        if (!decoded.isOk()) {
            out.drop(decoded.error());
            return false;
        }
        TunnelFrame f = decoded.value();
        switch (f.kind()) {
            case AUTH_KEY -> onAuthFrame((AuthKeyFrame) f, from, now);
            case ANON_KEY -> onAnonFrame((AnonKeyFrame) f, from, datagram.length, now);
            case SEALED -> {
                return onSealed((SealedFrame) f, from, hostRef, now);
            }
            case PLAIN -> {
                if (cfg.acceptPlaintext()) {
                    up.deliver(((PlainFrame) f).packet(), now);
                } else {
                    out.drop(ErrorCode.REFUSED);
                }
            }
            default -> out.drop(ErrorCode.REFUSED); // PILP and beacon messages: nothing to do without a beacon
        }
        return false;
    }

    /**
     * A peer with a session whose frame opened this recently is where its session's endpoint says, whatever an answer
     * names: shorter than a ping's timeout (5 s), which is what makes a host ask where a silent peer went.
     */
    static final long MOVE_LIVE_MILLIS = 2_000;

    /** See {@link PilotNode#addPeer}. */
    void addPeer(int node, Endpoint endpoint, long now) {
        PeerState l = links.link(node, now);
        if (l == null) {
            replayStashed(node, now); // verified, its PILA may take an idle session's place (PeerTable)
            return;
        }
        Endpoint was = l.endpoint;
        boolean moved = was != null && !was.equals(endpoint);
        if (moved && kx.hasSession(node) && now - kx.lastFrameOpened(node) < MOVE_LIVE_MILLIS) {
            // its frames open where it is, just now: a NAT that maps its port (the registry names the announced
            // one), or an answer older than the peer's own traffic; a move shows as silence first (a ping timeout)
            endpoint = was;
            moved = false;
        }
        l.endpoint = endpoint;
        l.lookupPending = false;
        links.resolved(node);
        if (moved && (kx.hasSession(node) || l.tries > 0)) {
            // The peer moved (restarted on another port, re-registered): the keys of our session died with its old
            // process, so a fresh handshake goes where we were told it is now, and our traffic waits for it. Only
            // the host names endpoints here (the application, its configuration, the registry's answer to our signed
            // resolve), never a stranger's frame; compared with the session's endpoint (learned from authenticated
            // frames or restored from our snapshot), so a restored session follows a move too.
            links.startHandshake(l, now);
            if (l.tries == 0) {
                l.endpoint = was; // it could not start (our half-open handshakes at their bound): not our old keys there
            }
        }
        replayStashed(node, now);
        if (!kx.hasSession(node) && l.tries == 0 && (!l.queue.isEmpty() || l.reacted)) {
            links.startHandshake(l, now); // traffic waits, or the peer already tried to talk to us
        }
    }

    /** A PILA that arrived before its sender's key, looked at again now that the host answered for it. */
    private void replayStashed(int node, long now) {
        Stash s = stashed.remove(node);
        if (s != null) {
            onAuthFrame(s.frame, s.from, now);
        }
    }

    /** See {@link PilotNode#peerLookupFailed}. */
    void peerLookupFailed(int node, long now) {
        stashed.remove(node);
        links.lookupFailed(node, now);
    }

    private void onAuthFrame(AuthKeyFrame f, Endpoint from, long now) {
        HandshakeResult r = kx.onAuthFrame(f, from.toString(), now);
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY) {
            if (links.mayLookUp(f.senderNode(), now)) {
                stash(f, from);
                links.requestLookup(f.senderNode(), now);
            } else {
                out.drop(ErrorCode.RATE_LIMITED);
            }
            return;
        }
        if (!r.isOk()) {
            out.drop(r.error());
            return;
        }
        PeerState l = links.link(f.senderNode(), now);
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
        links.flush(l);
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
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY && links.mayLookUp(f.senderNode(), now)) {
            links.requestLookup(f.senderNode(), now);
        }
        if (!r.isOk()) {
            out.drop(r.error());
            return;
        }
        out.transmit(from, r.reply());
    }

    /** A PILS frame; true when its open request names {@code hostRef} (not 0: the host keeps its ciphertext). */
    private boolean onSealed(SealedFrame f, Endpoint from, int hostRef, long now) {
        if (!crypto.active()) {
            opened(f, from, kx.open(f, now), now);
            return false;
        }
        OpenStep step = kx.openBegin(f, now);
        if (step.finished()) {
            opened(f, from, step.result(), now);
            return false;
        }
        crypto.open(f, from, step.under(), step.fallback(), Envelope.openAad(step.under(), f.senderNode()), hostRef);
        return hostRef != 0;
    }

    /** The host's AEAD answered an open ({@code plain} null: the tag failed); see {@link KeyExchange#openDone}. */
    void onOpenDone(CryptoQueue.OpenState p, byte[] plain, boolean checksumChecked, long now) {
        SealedFrame f = p.frame;
        OpenStep step = kx.openDone(f, p.under, p.fallback, plain, checksumChecked, now);
        if (step.finished()) {
            opened(f, p.from, step.result(), now);
        } else {
            // the previous session's try: its request carries the bytes (the host handed them back: cryptoRestore)
            crypto.open(f, p.from, step.under(), step.fallback(), Envelope.openAad(step.under(), f.senderNode()), 0);
        }
    }

    /** What an open ends with, whether the AEAD ran in the call or was answered later. */
    private void opened(SealedFrame f, Endpoint from, OpenResult r, long now) {
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
        if (!known && !links.mayLookUp(node, now)) {
            out.drop(ErrorCode.RATE_LIMITED); // before any state is made for a sender id nobody vouched for
            return;
        }
        l = links.link(node, now);
        if (l == null) {
            return;
        }
        l.reacted = true;
        l.lastReactiveHandshake = now;
        if (!known) {
            links.requestLookup(node, now); // the host's answer (addPeer) starts the handshake
            return;
        }
        links.startHandshake(l, now);
    }

    private void stash(AuthKeyFrame f, Endpoint from) {
        stashed.remove(f.senderNode());
        if (stashed.size() >= cfg.maxStashedKeyFrames()) {
            stashed.remove(stashed.keySet().iterator().next());
        }
        stashed.put(f.senderNode(), new Stash(f, from));
    }
}
