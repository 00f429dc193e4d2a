package pilot.core.handshake;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;

/**
 * The PILA key exchange and the bounded table of per-peer key states (spec D, E, F.5), as step
 * functions: every call takes the current time and returns what to send; nothing here reads a clock,
 * a socket or global randomness.
 *
 * <p>Rules that matter for interop (spec D.2 "consequences"):
 * <ul>
 *   <li>A PILA with the peer's X25519 key unchanged, for a session derived with our current key, keeps
 *       the state (counters and window): answering it would make a Feb-2026 peer reset its counter.</li>
 *   <li>Every handshake we start uses a fresh X25519 key, so peers that only answer "changed" keys answer.</li>
 *   <li>A PILK from a node with a trusted key is answered with our PILA and installs nothing.</li>
 *   <li>Runs of replay / too-old / AEAD failures never drop a session: they are unauthenticated. After a
 *       run, and only when the peer has sent nothing authentic for the grace period, we start a fresh
 *       handshake while the old session keeps working (spec F.5, tightened; docs/SPEC-NOTES.md #20).</li>
 *   <li>A PILA carrying a peer key this node accepted before, other than the current session's, is a
 *       replay and is refused, also after the peer's state was forgotten ({@link KeyHistory}).</li>
 * </ul>
 * Single-threaded: the owner serialises calls.
 */
public final class KeyExchange {
    private final LocalIdentity identity;
    private final CryptoSuite suite;
    private final Entropy entropy;
    private final TrustSource trust;
    private final WireProfile defaultProfile;
    private final HandshakeLimits limits;
    private final KxLimiter kxLimiter;
    private final KeyHistory history;
    private final Map<Integer, WireProfile> profiles = new HashMap<>();
    private final PeerTable peers;
    /** How urgently the sessions should be persisted: {@link SessionSnapshot#DUE_NONE} and up. */
    private int snapshotDue;
    private long refusedFrames;

    public KeyExchange(LocalIdentity identity, CryptoSuite suite, Entropy entropy, TrustSource trust,
                       WireProfile defaultProfile, HandshakeLimits limits) {
        if (identity == null || suite == null || entropy == null || trust == null || defaultProfile == null
                || limits == null) {
            throw new IllegalArgumentException("all collaborators are required");
        }
        this.identity = identity;
        this.suite = suite;
        this.entropy = entropy;
        this.trust = trust;
        this.defaultProfile = defaultProfile;
        this.limits = limits;
        this.kxLimiter = new KxLimiter(limits);
        this.history = new KeyHistory(limits.retiredKeysPerPeer(), limits.keyHistoryNodes());
        this.peers = new PeerTable(limits);
    }

    /** The one peer table: key state here, tunnel state kept by the node in the same entries. */
    public PeerTable peers() {
        return peers;
    }

    public int localNode() {
        return identity.node();
    }

    /** Pins the wire profile spoken with one peer; takes effect at its next session. */
    public void setProfile(int node, WireProfile profile) {
        profiles.put(node, profile);
    }

    public WireProfile profileFor(int node) {
        WireProfile p = profiles.get(node);
        return p == null ? defaultProfile : p;
    }

    /**
     * Starts (or restarts) a handshake: a fresh X25519 key for this peer, any current session dropped,
     * and the signed PILA to send. Fails only with {@link ErrorCode#TABLE_FULL} or {@link ErrorCode#INVALID_ARGUMENT}.
     */
    public Result<byte[]> startHandshake(int peerNode, long now) {
        if (peerNode == identity.node()) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "cannot handshake with our own node id");
        }
        PeerState p = peers.getOrAllocate(peerNode, now, true);
        if (p == null || !peers.admitHalfOpen(p)) {
            return Result.fail(ErrorCode.TABLE_FULL, "peer table full");
        }
        if (p.session != null) {
            p.previous = p.session;
            due(SessionSnapshot.DUE_REQUIRED); // the session is gone
        }
        p.session = null;
        newOurKey(p);
        markHalfOpen(p, now);
        return Result.ok(p.ourFrame.clone());
    }

    /**
     * Handles a received PILA (spec D.2). {@code source} keys the rate limit together with the claimed node
     * id: the sender's endpoint (IP and port), or a relay id.
     */
    public HandshakeResult onAuthFrame(AuthKeyFrame f, String source, long now) {
        HandshakeResult gate = admit(f.senderNode(), source, now);
        if (gate != null) {
            return gate;
        }
        byte[] trusted = trusted(f.senderNode());
        if (trusted == null) {
            return refuse(ErrorCode.UNKNOWN_IDENTITY, "no trusted Ed25519 key for node " + unsigned(f.senderNode()));
        }
        if (!Bytes.constantTimeEquals(f.ed25519(), trusted)) {
            return refuse(ErrorCode.IDENTITY_MISMATCH, "PILA Ed25519 key differs from the trusted key");
        }
        byte[] x = f.x25519();
        if (!suite.ed25519Verify(trusted, AuthKeyFrame.challenge(f.senderNode(), x), f.signature())) {
            return refuse(ErrorCode.BAD_SIGNATURE, "PILA signature does not verify");
        }
        PeerState p = peers.get(f.senderNode());
        if (p != null && p.session != null && p.sessionFromCurrentKey && p.session.peerX25519Equals(x)) {
            p.lastActivity = now;
            return HandshakeResult.accepted(false, null); // unchanged: keep counters and window (spec D.2 step 8, J)
        }
        if ((p != null && p.isRetired(x)) || history.isReplaced(f.senderNode(), x)) {
            return refuse(ErrorCode.STALE_KEY, "PILA repeats an X25519 key this peer already replaced");
        }
        boolean fresh = !history.contains(f.senderNode(), x);
        // the key is checked before a new peer gets an entry, which may take the place of a session idle for
        // IDLE_SESSION_MILLIS: a key no session can come of must not (a low-order key's secret is zero with any of ours)
        byte[] ours = p != null && p.ourPrivate != null ? p.ourPrivate : entropy.bytes(32);
        byte[] shared = suite.x25519SharedSecret(ours, x);
        if (shared == null) {
            return refuse(ErrorCode.WEAK_KEY, "X25519 shared secret is all zero");
        }
        if (p == null && (p = allocateEvictingIdle(f.senderNode(), now)) == null) {
            java.util.Arrays.fill(shared, (byte) 0);
            return refuse(ErrorCode.TABLE_FULL, "peer table full");
        }
        if (p.ourPrivate != ours) {
            newOurKey(p, ours);
        }
        if (p.session != null && p.state == HandshakeState.CONFIRMED && p.sessionFromCurrentKey) {
            // A changed key while traffic proves the peer holds the current one: a peer restart, or a
            // replayed old PILA. Answer with a fresh key of ours, so only a peer that really holds the
            // announced key can complete the exchange; a replay then costs one re-handshake, never a lockout.
            // (When we rotated our key ourselves and it has not been used yet, it is already fresh.)
            newOurKey(p);
            shared = suite.x25519SharedSecret(p.ourPrivate, x);
        }
        if (p.session != null) {
            p.previous = p.session; // still opens packets that were in flight under it
        }
        p.session = Session.derive(profileFor(p.node), suite, entropy, shared, x, now);
        java.util.Arrays.fill(shared, (byte) 0);
        p.sessionFromCurrentKey = true;
        due(SessionSnapshot.DUE_REQUIRED); // a new session: its key and counter reservation
        history.record(p.node, x);
        clearHalfOpen(p);
        p.state = HandshakeState.INSTALLED;
        p.resetFailures();
        p.lastActivity = now;
        p.lastAuthenticated = now; // the signature verified: the grace before a failure re-handshake starts here
        // Spec D.2 step 10: there was no state before, or the peer's key changed — tell it our key.
        return HandshakeResult.installed(p.ourFrame.clone(), fresh);
    }

    /** Handles a received PILK (spec D.3): never installs an anonymous session; answers trusted nodes with PILA. */
    public HandshakeResult onAnonFrame(AnonKeyFrame f, String source, long now) {
        HandshakeResult gate = admit(f.senderNode(), source, now);
        if (gate != null) {
            return gate;
        }
        if (trusted(f.senderNode()) == null) {
            return refuse(ErrorCode.UNKNOWN_IDENTITY, "anonymous key exchange refused: no trusted key for node "
                    + unsigned(f.senderNode()));
        }
        PeerState p = peers.getOrAllocate(f.senderNode(), now, true);
        if (p == null) {
            return refuse(ErrorCode.TABLE_FULL, "peer table full");
        }
        if (p.ourPrivate == null) {
            if (!peers.admitHalfOpen(p)) {
                return refuse(ErrorCode.TABLE_FULL, "half-open handshakes at their bound");
            }
            newOurKey(p);
            markHalfOpen(p, now);
        }
        return HandshakeResult.accepted(false, p.ourFrame.clone());
    }

    /** Seals a packet for {@code peerNode}; {@link ErrorCode#NO_SESSION} when no key state is installed. */
    public Result<byte[]> seal(int peerNode, byte[] packetBytes) {
        PeerState p = peers.get(peerNode);
        if (p == null || p.session == null) {
            return Result.fail(ErrorCode.NO_SESSION, "no session with node " + unsigned(peerNode));
        }
        byte[] sealed = Envelope.seal(p.session, identity.node(), packetBytes);
        if (p.session.takeReservationRaised()) {
            due(SessionSnapshot.DUE_REQUIRED); // persist the raised reservation before this frame leaves
        }
        return Result.ok(sealed);
    }

    /**
     * Seals later (the AEAD as an effect): the frame for a packet of {@code packetLen} bytes with its header
     * and nonce written and its counter reserved now ({@link Envelope#sealFrame}); the caller has the
     * session's AEAD fill it at {@link pilot.core.frame.SealedFrame#OVERHEAD}. Null when no session is installed.
     */
    public byte[] sealFrame(int peerNode, int packetLen) {
        PeerState p = peers.get(peerNode);
        if (p == null || p.session == null) {
            return null;
        }
        byte[] frame = Envelope.sealFrame(p.session, identity.node(), packetLen);
        if (p.session.takeReservationRaised()) {
            due(SessionSnapshot.DUE_REQUIRED); // persist the raised reservation before this frame leaves
        }
        return frame;
    }

    /**
     * Opens a PILS frame from its sender's session (spec E.2). A run of failures (spec F.5) while the peer
     * has been silent for the grace period returns a fresh PILA to send; the session stays installed until
     * a new one replaces it, because a failure proves nothing about who sent the frame. The same steps as a
     * deferred open ({@link #openBegin}, {@link #openDone}) with the AEAD run in the call.
     */
    public OpenResult open(SealedFrame f, long now) {
        OpenStep step = openBegin(f, now);
        while (!step.finished()) {
            step = openDone(f, step.under(), step.fallback(), Envelope.openAead(step.under(), f), now);
        }
        return step.result();
    }

    /**
     * An open, step one: finds the sender's session and runs the replay window's check (no commit). Either
     * finished (no session, replay, too old) or waiting for AES-GCM under the current session.
     */
    public OpenStep openBegin(SealedFrame f, long now) {
        PeerState p = peers.get(f.senderNode());
        if (p == null || p.session == null) {
            return OpenStep.done(new OpenResult(Result.fail(ErrorCode.NO_SESSION, "no session with node " + unsigned(f.senderNode())), null));
        }
        ErrorCode verdict = Envelope.check(p.session, f);
        if (verdict != null) {
            return OpenStep.done(finish(p, Result.fail(verdict, "counter " + Long.toUnsignedString(f.counter())), now));
        }
        return OpenStep.aead(p.session, false);
    }

    /**
     * An open, the next step from the AEAD's answer under {@code under} ({@code plain} null: the tag failed).
     * A session replaced or dropped since the request (the generation check: {@code under} is no longer the
     * current session, or no longer the previous one for a {@code fallback}) finishes with
     * {@link ErrorCode#STALE_KEY} and changes nothing. Otherwise the window is checked again and committed,
     * and a frame the current session could not open is tried under the previous one, as a synchronous open does.
     */
    public OpenStep openDone(SealedFrame f, Session under, boolean fallback, byte[] plain, long now) {
        return openDone(f, under, fallback, plain, false, now);
    }

    /** {@link #openDone(SealedFrame, Session, boolean, byte[], long)}; {@code checksumChecked}: the host found the packet's checksum matching. */
    public OpenStep openDone(SealedFrame f, Session under, boolean fallback, byte[] plain, boolean checksumChecked, long now) {
        PeerState p = peers.get(f.senderNode());
        if (p == null || under == null || under != (fallback ? p.previous : p.session)) {
            return OpenStep.done(new OpenResult(Result.fail(ErrorCode.STALE_KEY, "session replaced while the frame was opened"), null));
        }
        if (fallback) {
            Result<Packet> late = Envelope.finishOpen(under, f, plain, checksumChecked);
            // sealed before the peer's key change and delivered late; else the current session's failure stands
            return OpenStep.done(finish(p, authenticated(late) ? late
                    : Result.fail(ErrorCode.AEAD_FAILED, "GCM authentication failed"), now));
        }
        long highWater = under.receiveMax();
        Result<Packet> r = Envelope.finishOpen(under, f, plain, checksumChecked);
        if (under.receiveMax() != highWater) {
            due(SessionSnapshot.DUE_ADVISORY); // a restore from an older snapshot would accept it again
        }
        if (authenticated(r) && p.state != HandshakeState.CONFIRMED) {
            p.state = HandshakeState.CONFIRMED;
            if (p.previous != null && !under.peerX25519Equals(p.previous.peerX25519())) {
                // the newer key is proven; a PILA with the old one is a replay. Not when the peer kept its key
                // (it answered our fresh key with the one it had): that key is the current one, not replaced
                p.retire(p.previous.peerX25519());
            }
        } else if (r.error() == ErrorCode.AEAD_FAILED && p.previous != null && Envelope.check(p.previous, f) == null) {
            return OpenStep.aead(p.previous, true);
        }
        return OpenStep.done(finish(p, r, now));
    }

    /** The end of every open: activity, failure runs (spec F.5). */
    private OpenResult finish(PeerState p, Result<Packet> r, long now) {
        if (authenticated(r)) {
            p.lastAuthenticated = now; // the peer holds the key: junk from elsewhere cannot count against it
            p.lastFrameOpened = now;
        }
        if (r.isOk()) {
            p.resetFailures();
            p.lastActivity = now;
            return new OpenResult(r, null);
        }
        return new OpenResult(r, countFailure(p, r.error(), now));
    }

    /**
     * Whether {@code s} is still the current or the previous session of {@code peerNode}: a key the AEAD's
     * host holds for it may be dropped once this is false and no request uses it.
     */
    public boolean holds(int peerNode, Session s) {
        PeerState p = peers.get(peerNode);
        return p != null && (p.session == s || p.previous == s);
    }

    /** Passed AES-GCM: ok, or refused only for what the authenticated packet said. */
    private static boolean authenticated(Result<Packet> r) {
        return r.isOk() || r.error() == ErrorCode.SPOOFED_SOURCE || r.error() == ErrorCode.BAD_CHECKSUM
                || r.error() == ErrorCode.BAD_VERSION || r.error() == ErrorCode.TRUNCATED;
    }

    /** Where the exchange with a peer stands; {@link HandshakeState#IDLE} for a peer we hold nothing for. */
    public HandshakeState state(int peerNode) {
        PeerState p = peers.get(peerNode);
        return p == null ? HandshakeState.IDLE : p.state;
    }

    /** When a frame of {@code peerNode} last opened under one of its sessions; far in the past when never. */
    public long lastFrameOpened(int peerNode) {
        PeerState p = peers.get(peerNode);
        return p == null ? Long.MIN_VALUE / 4 : p.lastFrameOpened;
    }

    public boolean hasSession(int peerNode) {
        PeerState p = peers.get(peerNode);
        return p != null && p.session != null;
    }

    /** A session is installed and a frame authenticated under it: the peer proved it holds the key. */
    public boolean isConfirmed(int peerNode) {
        PeerState p = peers.get(peerNode);
        return p != null && p.session != null && p.state == HandshakeState.CONFIRMED;
    }

    /** The installed session for a peer, or {@code null} (read-only use: counters, profile). */
    public Session session(int peerNode) {
        PeerState p = peers.get(peerNode);
        return p == null ? null : p.session;
    }

    /**
     * The entry for a peer our own application sends to, made if absent: it may take the place of a session
     * idle for {@link PeerTable#IDLE_SESSION_MILLIS} when the table is full. Null when nothing may go.
     */
    public PeerState linkForOwnTraffic(int peerNode, long now) {
        return allocateEvictingIdle(peerNode, now);
    }

    /** The peer's entry, made if absent by an authenticated caller that may take an idle session's place. */
    private PeerState allocateEvictingIdle(int peerNode, long now) {
        long evicted = peers.idleEvictions();
        PeerState p = peers.getOrAllocate(peerNode, now, false, true);
        if (peers.idleEvictions() != evicted) {
            due(SessionSnapshot.DUE_REQUIRED); // a session is gone: the snapshot must follow
        }
        return p;
    }

    /** Drops all state for a peer (the host forgets it). */
    public void forget(int peerNode) {
        PeerState p = peers.remove(peerNode);
        if (p != null && p.session != null) {
            due(SessionSnapshot.DUE_REQUIRED);
        }
    }

    /**
     * What a snapshot taken now should be persisted with: {@link SessionSnapshot#DUE_REQUIRED} before any
     * datagram of this step leaves (a counter reservation was raised, a session installed or dropped),
     * {@link SessionSnapshot#DUE_ADVISORY} when only a receive high-water mark advanced, else
     * {@link SessionSnapshot#DUE_NONE}. Taking a {@link #snapshot()} clears it.
     */
    public int snapshotDue() {
        return snapshotDue;
    }

    /** Every established session with a known endpoint and key, in table order; clears {@link #snapshotDue()}. */
    public SessionSnapshot snapshot() {
        snapshotDue = SessionSnapshot.DUE_NONE;
        List<SessionSnapshot.Entry> out = new ArrayList<>();
        for (PeerState p : peers.values()) {
            byte[] ed = p.session == null || p.endpoint == null ? null : trusted(p.node);
            if (ed != null) {
                Session s = p.session;
                out.add(new SessionSnapshot.Entry(p.node, p.state == HandshakeState.CONFIRMED, s.profile(), p.endpoint,
                        ed, s.peerX25519(), s.keyBytes(), s.noncePrefixBytes(), s.reservedUpTo(), s.receiveMax(),
                        s.createdAt()));
            }
        }
        return new SessionSnapshot(identity.node(), defaultProfile, out);
    }

    /**
     * Installs the sessions of a snapshot into a node that holds no peer yet, all or nothing. Refused with
     * {@link ErrorCode#IDENTITY_MISMATCH} (another node's snapshot), {@link ErrorCode#REFUSED} (another default
     * profile), {@link ErrorCode#INVALID_STATE} (peers exist), {@link ErrorCode#INVALID_ARGUMENT} (an entry for
     * our own id, or a node twice). Returns the number of sessions restored.
     */
    public Result<Integer> restore(SessionSnapshot snap, long now) {
        if (snap.node() != identity.node()) {
            return Result.fail(ErrorCode.IDENTITY_MISMATCH, "another node's snapshot");
        }
        if (snap.profile() != defaultProfile) {
            return Result.fail(ErrorCode.REFUSED, "snapshot of another wire profile");
        }
        if (peers.size() != 0) {
            return Result.fail(ErrorCode.INVALID_STATE, "node holds peers");
        }
        for (SessionSnapshot.Entry e : snap.peers()) {
            PeerState p = e.node == identity.node() ? null : peers.getOrAllocate(e.node, now, false);
            if (p == null || p.session != null) { // our own id, or a node twice: undo, all or nothing
                for (SessionSnapshot.Entry undo : snap.peers()) {
                    peers.remove(undo.node);
                }
                return Result.fail(ErrorCode.INVALID_ARGUMENT, "snapshot entry for our node or a node twice");
            }
            p.session = Session.restore(e.profile, suite, e.key, e.noncePrefix, e.peerX25519, e.createdAt,
                    e.reservedUpTo, e.receiveHighWater);
            p.state = e.confirmed ? HandshakeState.CONFIRMED : HandshakeState.INSTALLED;
            p.sessionFromCurrentKey = true; // no newer key of ours exists: a PILA repeating the peer's key keeps it
            p.lastAuthenticated = now;
            p.endpoint = e.endpoint;
            p.restoredEd25519 = e.ed25519;
            history.record(e.node, e.peerX25519);
        }
        return Result.ok(snap.peers().size());
    }

    /** The host's key for a node, else the one a restored snapshot carried for it (proven by that session's PILA). */
    private byte[] trusted(int node) {
        byte[] k = trust.ed25519KeyFor(node);
        if (k == null) {
            PeerState p = peers.get(node);
            k = p == null || p.restoredEd25519 == null ? null : p.restoredEd25519.clone();
        }
        return k;
    }

    private void due(int level) {
        snapshotDue = Math.max(snapshotDue, level);
    }

    /** Peers whose half-open handshake started at or before {@code olderThan}, oldest first. */
    public List<Integer> halfOpenSince(long olderThan) {
        List<Integer> out = new ArrayList<>();
        for (PeerState p : peers.values()) {
            if (p.isHalfOpen() && p.halfOpenSince <= olderThan) {
                out.add(p.node);
            }
        }
        return out;
    }

    public int peerCount() {
        return peers.size();
    }

    public int halfOpenCount() {
        return peers.halfOpenCount();
    }

    /** Key-exchange frames refused for any reason so far. */
    public long refusedFrames() {
        return refusedFrames;
    }

    public int trackedKxSources() {
        return kxLimiter.trackedSources();
    }

    /** Nodes whose past X25519 keys are remembered (bounded by {@link HandshakeLimits#keyHistoryNodes()}). */
    public int keyHistoryNodes() {
        return history.nodes();
    }

    private HandshakeResult admit(int sender, String source, long now) {
        if (!kxLimiter.allow(source == null ? "" : source, sender, now)) {
            return refuse(ErrorCode.RATE_LIMITED, "key-exchange rate limit for " + source);
        }
        if (sender == identity.node()) {
            return refuse(ErrorCode.IDENTITY_MISMATCH, "key exchange claims our own node id");
        }
        return null;
    }

    private HandshakeResult refuse(ErrorCode code, String detail) {
        refusedFrames++;
        return HandshakeResult.refused(code, detail);
    }

    /**
     * Counts an unauthenticated failure. Anyone can send a frame that fails (the sender id is clear text),
     * so a run never drops the session; it only starts a fresh handshake when the peer itself has been
     * silent for the grace period (so it may really have lost its state), at most once per grace period.
     * The old session keeps sealing and opening until the peer's answer installs the new one.
     */
    private byte[] countFailure(PeerState p, ErrorCode error, long now) {
        int run;
        long grace;
        switch (error) {
            case AEAD_FAILED:
                run = ++p.aeadRun;
                grace = limits.aeadGraceMillis();
                break;
            case TOO_OLD:
                run = ++p.tooOldRun;
                grace = limits.windowGraceMillis();
                break;
            case REPLAY:
                run = ++p.replayRun;
                grace = limits.windowGraceMillis();
                break;
            default:
                return null; // inner decode or spoofing: the frame authenticated, the key state is fine
        }
        if (run < limits.failureRun() || now - p.lastAuthenticated < grace
                || now - p.lastFailureRehandshake < grace || !kxLimiter.allowGlobal(now)) {
            return null;
        }
        p.resetFailures();
        p.lastFailureRehandshake = now;
        newOurKey(p); // the session stays; the peer's answer to this key replaces it (onAuthFrame)
        return p.ourFrame.clone();
    }

    private void newOurKey(PeerState p) {
        newOurKey(p, entropy.bytes(32));
    }

    private void newOurKey(PeerState p, byte[] ourPrivate) {
        p.ourPrivate = ourPrivate;
        byte[] pub = suite.x25519PublicKey(p.ourPrivate);
        byte[] signature = identity.signingKey().sign(AuthKeyFrame.challenge(identity.node(), pub));
        p.ourFrame = new AuthKeyFrame(identity.node(), pub, identity.publicKey(), signature, PilaTrailer.NONE).encode();
        p.sessionFromCurrentKey = false;
    }

    private void markHalfOpen(PeerState p, long now) {
        peers.markHalfOpen(p, now);
    }

    private void clearHalfOpen(PeerState p) {
        peers.clearHalfOpen(p);
    }

    private static String unsigned(int node) {
        return Integer.toUnsignedString(node);
    }
}
