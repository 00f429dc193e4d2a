package pilot.core.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.OpenResult;
import pilot.core.handshake.PeerState;
import pilot.core.handshake.PeerTable;
import pilot.core.handshake.SessionSnapshot;
import pilot.core.handshake.TrustSource;
import pilot.core.limit.RateLimiter;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.core.stream.StreamConfig;
import pilot.core.stream.StreamOutput;
import pilot.core.stream.StreamTable;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * A whole Pilot peer as one sans-IO state object (in the spirit of quinn-proto): the host feeds it
 * datagrams and the time, and drains datagrams to send, application events and the next deadline.
 * It owns the tunnel table, key exchange, envelope, replay state, streams and datagrams; ping and the
 * echo port are the small services {@link PingService} and {@link EchoService}.
 *
 * <p>The host's loop: {@link #handleDatagram} for each received datagram and {@link #handleTimeout}
 * when {@link #nextDeadline()} passes; after either, and after every application call, drain
 * {@link #pollTransmit()} and {@link #pollEvent()} until they return {@code null}. On
 * {@link NodeEvent.PeerNeeded}, resolve the peer (registry) and call {@link #addPeer} or
 * {@link #peerLookupFailed}. Nothing here reads a clock, opens a socket or draws global randomness.
 * Not thread-safe: one owner drives it.
 */
public final class PilotNode {
    private final NodeConfig cfg;
    private final LocalIdentity identity;
    private final Address address;
    private final TrustSource trust;
    private final KeyExchange kx;
    private final StreamTable streams;
    /** The one peer table, shared with the key exchange: tunnel and key state of a peer in one entry. */
    private final PeerTable links;
    private final LinkedHashMap<Integer, Stash> stashed = new LinkedHashMap<>();
    private final PingService pings = new PingService();
    private final EchoService echo;
    private final ArrayDeque<Transmit> transmits = new ArrayDeque<>();
    private final ArrayDeque<NodeEvent> events = new ArrayDeque<>();
    private final EnumMap<ErrorCode, Long> drops = new EnumMap<>(ErrorCode.class);
    /** Look-ups that unauthenticated input may trigger, node-wide ({@code HandshakeLimits.lookupsPerSecond}). */
    private final RateLimiter lookupRate;
    /** Node → until when unauthenticated input may not trigger its look-up again (bounded, oldest first out). */
    private final LinkedHashMap<Integer, Long> negativeLookups = new LinkedHashMap<>();
    private int nextEphemeral;
    private long packetsIn;
    private long packetsOut;

    private record Stash(AuthKeyFrame frame, Endpoint from) {
    }

    /**
     * @param network our network id (the registry assigns 0)
     * @param trust   the Ed25519 key of a node, as the host knows it (pinned or looked up)
     */
    public PilotNode(NodeConfig cfg, LocalIdentity identity, int network, CryptoSuite suite, Entropy entropy,
                     TrustSource trust) {
        this.cfg = cfg;
        this.identity = identity;
        this.address = new Address(network, identity.node());
        this.trust = trust;
        this.echo = new EchoService(cfg.echoService());
        this.kx = new KeyExchange(identity, suite, entropy, trust, cfg.profile(), cfg.handshake());
        this.links = kx.peers();
        this.lookupRate = new RateLimiter(cfg.handshake().lookupsPerSecond(), 1, 60_000);
        byte[] r = entropy.bytes(4);
        this.nextEphemeral = Ports.EPHEMERAL_FIRST + ((r[0] & 0xFF) << 8 | (r[1] & 0xFF)) % (Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST + 1);
        this.streams = new StreamTable(address, cfg.stream(), this::streamConfigFor, cfg.streams(),
                (r[2] & 0xFF) << 8 | (r[3] & 0xFF));
        if (cfg.echoService()) {
            streams.listen(Ports.ECHO);
        }
    }

    public Address address() {
        return address;
    }

    // ================================================================ host side

    /** One UDP datagram from {@code from}. Malformed or hostile input is dropped and counted, never thrown. */
    public void handleDatagram(Endpoint from, byte[] datagram, long now) {
        Result<TunnelFrame> decoded = FrameCodec.decode(datagram);
        if (!decoded.isOk()) {
            drop(decoded.error());
            return;
        }
        TunnelFrame f = decoded.value();
        switch (f.kind()) {
            case AUTH_KEY -> onAuthFrame((AuthKeyFrame) f, from, now);
            case ANON_KEY -> onAnonFrame((AnonKeyFrame) f, from, datagram.length, now);
            case SEALED -> onSealed((SealedFrame) f, from, now);
            case PLAIN -> {
                if (cfg.acceptPlaintext()) {
                    deliver(((PlainFrame) f).packet(), now);
                } else {
                    drop(ErrorCode.REFUSED);
                }
            }
            default -> drop(ErrorCode.REFUSED); // PILP and beacon messages: nothing to do without a beacon
        }
        serveEcho(now);
    }

    /** The next datagram to send, or {@code null}. */
    public Transmit pollTransmit() {
        return transmits.poll();
    }

    /** The next application event, or {@code null}. */
    public NodeEvent pollEvent() {
        return events.poll();
    }

    /** When {@link #handleTimeout} must run next; {@code Long.MAX_VALUE} when nothing is scheduled. */
    public long nextDeadline() {
        long d = streams.nextDeadline();
        for (PeerState l : links.values()) {
            d = Math.min(d, l.retryAt);
        }
        return Math.min(d, pings.nextDeadline());
    }

    /** Runs every timer due at {@code now}; a spurious call does nothing. */
    public void handleTimeout(long now) {
        for (PeerState l : new ArrayList<>(links.values())) {
            if (l.retryAt <= now) {
                onHandshakeTimer(l, now);
            }
        }
        for (NodeEvent e : pings.expire(now)) {
            event(e);
        }
        streams.onTimeout(now);
        drainStreams(now);
        serveEcho(now);
    }

    /**
     * The host resolved a peer: its UDP endpoint (and, through the trust source, its Ed25519 key).
     * Starts the handshake if traffic waits, and re-examines a PILA that arrived before its key.
     */
    public void addPeer(int node, Endpoint endpoint, long now) {
        PeerState l = link(node, now);
        if (l == null) {
            return;
        }
        l.endpoint = endpoint;
        l.lookupPending = false;
        negativeLookups.remove(node);
        Stash s = stashed.remove(node);
        if (s != null) {
            onAuthFrame(s.frame, s.from, now);
        }
        if (!kx.hasSession(node) && l.tries == 0 && (!l.queue.isEmpty() || l.reacted)) {
            startHandshake(l, now); // traffic waits, or the peer already tried to talk to us
        }
    }

    /** The host could not resolve a peer: its waiting traffic fails. */
    public void peerLookupFailed(int node, long now) {
        PeerState l = links.get(node);
        stashed.remove(node);
        rememberFailedLookup(node, now);
        if (l != null) {
            giveUp(l, now);
        }
    }

    /**
     * Our own endpoint changed (a Worker moved to another relay): starts a fresh handshake with {@code node}, a
     * new X25519 key, if we hold a session with it and no handshake runs. A peer that moves our endpoint only on
     * a PILA with a key it never saw (the reference daemon, spec D.2 step 9) learns the new one from it; our
     * packets meanwhile queue and leave sealed under the new session. Returns whether a handshake started.
     */
    public boolean rehandshake(int node, long now) {
        PeerState l = links.get(node);
        if (l == null || l.endpoint == null || l.tries > 0 || !kx.hasSession(node)) {
            return false;
        }
        startHandshake(l, now);
        return l.tries > 0;
    }

    /** Pins the wire profile spoken with one peer (effective from its next session). */
    /**
     * A stream with {@code peer} sends segments of the size its generation uses (never smaller than ours,
     * never beyond the window unit): 4096 bytes to a Feb-2026 daemon, whose Nagle logic would otherwise
     * hold every echoed 1024-byte write for a round trip.
     */
    private StreamConfig streamConfigFor(int peer) {
        StreamConfig base = cfg.stream();
        int mss = Math.min(base.windowUnit(), Math.max(base.mss(), kx.profileFor(peer).streamMss()));
        return mss == base.mss() ? base : base.withMss(mss);
    }

    public void setProfile(int node, WireProfile profile) {
        kx.setProfile(node, profile);
    }

    public boolean hasSession(int node) {
        return kx.hasSession(node);
    }

    // ================================================================ application side

    public Result<Integer> listen(int port) {
        return streams.listen(port);
    }

    public void unlisten(int port) {
        streams.unlisten(port);
    }

    /** Opens a stream to {@code dst:port}; STREAM_OPENED or STREAM_CLOSED follows. */
    public Result<Integer> openStream(Address dst, int port, long now) {
        Result<Void> ok = checkDestination(dst);
        if (ok != null) {
            return ok.castFailure();
        }
        Result<Integer> r = streams.open(dst, port, now);
        drainStreams(now);
        return r;
    }

    /** Queues bytes; returns how many were accepted (0 = wait for STREAM_WRITABLE). */
    public Result<Integer> write(int stream, byte[] data, long now) {
        return data == null ? Result.fail(ErrorCode.INVALID_ARGUMENT, "null data") : write(stream, data, 0, data.length, now);
    }

    /** The same for {@code data[off, off + len)}: the node copies what it accepts, so a host can pass a big array in place. */
    public Result<Integer> write(int stream, byte[] data, int off, int len, long now) {
        if (data == null || off < 0 || len < 0 || off > data.length - len) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "bad data range");
        }
        Result<Integer> r = streams.write(stream, data, off, len, now);
        drainStreams(now);
        return r;
    }

    public Result<byte[]> read(int stream, int max, long now) {
        Result<byte[]> r = streams.read(stream, max, now);
        drainStreams(now);
        return r;
    }

    /** Bytes ready to read on a stream (0 for an unknown one). */
    public int readableBytes(int stream) {
        return streams.readable(stream);
    }

    /** True when the peer finished sending and everything was read. */
    public boolean atEof(int stream) {
        return streams.atEof(stream);
    }

    /** Half-close: our side is done writing. */
    public void closeStream(int stream, long now) {
        streams.close(stream, now);
        drainStreams(now);
    }

    /** Ends a stream: half-close, full close, or after the reply (see {@link CloseMode}). */
    public void closeStream(int stream, CloseMode mode, long now) {
        streams.close(stream, mode, now);
        drainStreams(now);
    }

    /** Declares a stream a request/reply exchange (see {@link ReplyPolicy}); call before writing. */
    public Result<Integer> expectReply(int stream, ReplyPolicy policy, long now) {
        return streams.expectReply(stream, policy, now);
    }

    /**
     * Graceful shutdown, step one: sends every pending delayed ACK now. Keep driving the node until
     * {@link #streamsSettled()} (FINs and data acknowledged) or a short linger has passed.
     */
    public void flushStreams(long now) {
        streams.flushAcks(now);
        drainStreams(now);
    }

    /** True when no stream has data, a FIN or an ACK of ours still on its way. */
    public boolean streamsSettled() {
        return streams.settled();
    }

    public void abortStream(int stream, long now) {
        streams.abort(stream, now);
        drainStreams(now);
    }

    /** Sends a datagram (spec H.1) from a fresh ephemeral port; returns that port. */
    public Result<Integer> sendDatagram(Address dst, int dstPort, byte[] data, long now) {
        Result<Void> bad = checkDestination(dst);
        if (bad != null) {
            return bad.castFailure();
        }
        if (data == null || data.length == 0 || data.length > Packet.MAX_PAYLOAD || !Ports.isValid(dstPort)) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "datagram needs 1..65535 bytes and a valid port");
        }
        int src = ephemeral();
        Result<Void> sent = send(new Packet(0, Packet.PROTO_DATAGRAM, address, dst, src, dstPort, 0, 0, 0, data), now);
        return sent == null ? Result.ok(src) : sent.castFailure();
    }

    /** Control-protocol ping (spec H.2); PONG or PING_TIMEOUT follows with the returned id. */
    public Result<Integer> ping(Address dst, long now) {
        Result<Void> bad = checkDestination(dst);
        if (bad != null) {
            return bad.castFailure();
        }
        int id = pings.nextId();
        int src = ephemeral();
        Result<Void> sent = send(PingService.request(address, dst, src, id, now), now);
        if (sent != null) {
            return sent.castFailure();
        }
        pings.sent(id, dst, src, now, cfg.pingTimeoutMillis());
        return Result.ok(id);
    }

    // ================================================================ sessions across an eviction

    /**
     * The established sessions as bytes ({@link SessionSnapshot}, docs/SPEC-NOTES.md #37), to persist; clears
     * {@link #snapshotDue()}. Streams are not in it: after a restore their packets meet the unknown-stream RST.
     * {@code now} is taken for symmetry with every other call; nothing in the layout is relative to it.
     */
    public byte[] snapshot(long now) {
        return kx.snapshot().encode();
    }

    /**
     * Restores the sessions of {@link #snapshot} into this node before it handled any frame, and asks the host
     * to resolve each restored peer again (PEER_NEEDED; {@link #addPeer} then only updates the endpoint, the
     * session stays). Returns the number of sessions restored, or a typed error (malformed, other version, other node, other profile, not fresh);
     * never throws, and allocates at most {@code maxPeers} entries.
     */
    public Result<Integer> restore(byte[] snapshot, long now) {
        Result<SessionSnapshot> s = SessionSnapshot.decode(snapshot, cfg.handshake().maxPeers());
        Result<Integer> r = s.isOk() ? kx.restore(s.value(), now) : s.castFailure();
        if (r.isOk()) {
            for (PeerState l : new ArrayList<>(links.values())) {
                requestLookup(l.node, now); // its key or endpoint may have moved while we were gone; no handshake follows
            }
        }
        return r;
    }

    /**
     * Poll after each step, before sending its datagrams: {@link SessionSnapshot#DUE_REQUIRED} means persist
     * {@link #snapshot} first (a send-counter reservation was raised, or a session came or went);
     * {@link SessionSnapshot#DUE_ADVISORY} means a receive high-water mark advanced (persisting when the host
     * likes bounds what a restore would accept again); 0 means nothing changed.
     */
    public int snapshotDue() {
        return kx.snapshotDue();
    }

    // ================================================================ inspection

    public int peerCount() {
        return links.size();
    }

    public int streamCount() {
        return streams.streamCount();
    }

    /** Streams neither closed nor lingering in TIME_WAIT. */
    public int activeStreamCount() {
        return streams.activeCount();
    }

    public long droppedCount(ErrorCode reason) {
        Long n = drops.get(reason);
        return n == null ? 0 : n;
    }

    public long packetsIn() {
        return packetsIn;
    }

    public long packetsOut() {
        return packetsOut;
    }

    /** Bytes held in buffers and queues: the figure that must stay bounded. */
    public long bufferedBytes() {
        long n = streams.bufferedBytes();
        for (PeerState l : links.values()) {
            n += l.queuedBytes;
        }
        for (Transmit t : transmits) {
            n += t.datagram().length;
        }
        for (NodeEvent e : events) {
            n += e instanceof NodeEvent.Datagram d ? d.length() : 0;
        }
        return n;
    }

    public KeyExchange keyExchange() {
        return kx;
    }

    // ================================================================ tunnel

    private void onAuthFrame(AuthKeyFrame f, Endpoint from, long now) {
        HandshakeResult r = kx.onAuthFrame(f, from.toString(), now);
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY) {
            if (mayLookUp(f.senderNode(), now)) {
                stash(f, from);
                requestLookup(f.senderNode(), now);
            } else {
                drop(ErrorCode.RATE_LIMITED);
            }
            return;
        }
        if (!r.isOk()) {
            drop(r.error());
            return;
        }
        PeerState l = link(f.senderNode(), now);
        if (l == null) {
            drop(ErrorCode.TABLE_FULL);
            return;
        }
        if ((r.installed() && r.freshKey()) || l.endpoint == null) {
            // Signed, but a PILA is not replay-protected: only a frame that installed a session with a key
            // never seen from that peer may move its endpoint (spec D.2 step 9), so a copy played back
            // from elsewhere cannot redirect us. Otherwise authenticated PILS move it (onSealed).
            l.endpoint = from;
        }
        if (r.reply() != null) {
            transmit(l.endpoint, r.reply());
        }
        if (r.installed()) {
            l.tries = 0;
            l.retryAt = Long.MAX_VALUE;
            event(new NodeEvent.PeerUp(new Address(address.network(), l.node)));
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
            drop(ErrorCode.REFUSED);
            return;
        }
        HandshakeResult r = kx.onAnonFrame(f, from.toString(), now);
        if (r.error() == ErrorCode.UNKNOWN_IDENTITY && mayLookUp(f.senderNode(), now)) {
            requestLookup(f.senderNode(), now);
        }
        if (!r.isOk()) {
            drop(r.error());
            return;
        }
        transmit(from, r.reply());
    }

    private void onSealed(SealedFrame f, Endpoint from, long now) {
        OpenResult r = kx.open(f, now);
        PeerState l = links.get(f.senderNode());
        if (r.rehandshake() != null && l != null) {
            transmit(l.endpoint, r.rehandshake()); // our X25519 keys are per peer: never to an unverified endpoint
        }
        Result<Packet> p = r.packet();
        if (!p.isOk()) {
            drop(p.error());
            if (p.error() == ErrorCode.NO_SESSION) {
                reactToUnknownSession(f.senderNode(), now);
            }
            return;
        }
        if (l != null) {
            l.endpoint = from; // authenticated: follow the peer if its endpoint changed
        }
        deliver(p.value(), now);
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
            drop(ErrorCode.RATE_LIMITED); // before any state is made for a sender id nobody vouched for
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

    /**
     * Whether unauthenticated input may make the host look {@code node} up: yes if a look-up is already
     * out (it costs nothing more); no while the node is in the negative cache; else within the node-wide
     * look-up rate. Traffic the application sends is never limited by this.
     */
    private boolean mayLookUp(int node, long now) {
        PeerState l = links.get(node);
        if (l != null && l.lookupPending) {
            return true;
        }
        Long until = negativeLookups.get(node);
        if (until != null) {
            if (now < until) {
                return false;
            }
            negativeLookups.remove(node);
        }
        return lookupRate.allow("", now);
    }

    private void rememberFailedLookup(int node, long now) {
        negativeLookups.remove(node);
        if (negativeLookups.size() >= cfg.handshake().maxNegativeLookups()) {
            negativeLookups.remove(negativeLookups.keySet().iterator().next());
        }
        negativeLookups.put(node, now + cfg.handshake().negativeLookupMillis());
    }

    private void startHandshake(PeerState l, long now) {
        Result<byte[]> pila = kx.startHandshake(l.node, now);
        if (!pila.isOk()) {
            drop(pila.error());
            return;
        }
        l.tries = 1;
        l.retryDelay = cfg.handshakeRetryMillis();
        l.retryAt = now + l.retryDelay;
        transmit(l.endpoint, pila.value());
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
            transmit(l.endpoint, pila.value());
        }
    }

    private void giveUp(PeerState l, long now) {
        Address peer = new Address(address.network(), l.node);
        l.clearQueue();
        l.tries = 0;
        l.retryAt = Long.MAX_VALUE;
        l.lookupPending = false;
        if (!kx.hasSession(l.node)) {
            kx.forget(l.node);
            rememberFailedLookup(l.node, now); // its handshake failed: strangers' frames do not retry it soon
        }
        event(new NodeEvent.PeerUnreachable(peer, ErrorCode.PEER_UNREACHABLE));
        streams.failPeer(peer, ErrorCode.PEER_UNREACHABLE, now);
        drainStreams(now);
        for (NodeEvent e : pings.failPeer(peer)) {
            event(e);
        }
    }

    /** Sends a packet through the tunnel, queueing it while the session is set up. Null = sent or queued. */
    private Result<Void> send(Packet p, long now) {
        int node = p.dst().node();
        PeerState l = link(node, now);
        if (l == null) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "peer table full");
        }
        byte[] packet = PacketCodec.encode(p);
        if (kx.hasSession(node) && l.endpoint != null) {
            transmit(l.endpoint, kx.seal(node, packet).value());
            return null;
        }
        if (l.queue.size() >= cfg.maxQueuedPerPeer()) {
            drop(ErrorCode.LIMIT_REACHED);
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

    private void flush(PeerState l) {
        if (!kx.hasSession(l.node) || l.endpoint == null) {
            return;
        }
        while (!l.queue.isEmpty()) {
            transmit(l.endpoint, kx.seal(l.node, l.queue.poll()).value());
        }
        l.queuedBytes = 0;
    }

    private void requestLookup(int node, long now) {
        PeerState l = link(node, now);
        if (l != null && !l.lookupPending) {
            l.lookupPending = true;
            event(new NodeEvent.PeerNeeded(new Address(address.network(), node)));
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

    private void transmit(Endpoint to, byte[] datagram) {
        if (to == null) {
            drop(ErrorCode.PEER_UNREACHABLE);
            return;
        }
        if (transmits.size() >= cfg.maxTransmits()) {
            drop(ErrorCode.LIMIT_REACHED);
            return;
        }
        packetsOut++;
        transmits.add(new Transmit(to, datagram));
    }

    // ================================================================ packets to us

    private void deliver(Packet p, long now) {
        if (p.dst().node() != address.node()) {
            drop(ErrorCode.INVALID_ARGUMENT); // not addressed to us
            return;
        }
        packetsIn++;
        switch (p.protocol()) {
            case Packet.PROTO_STREAM -> {
                streams.onPacket(p, now);
                drainStreams(now);
            }
            case Packet.PROTO_DATAGRAM -> {
                if (p.payloadLength() > 0 && streams.isListening(p.dstPort())) {
                    event(new NodeEvent.Datagram(p.src(), p.dstPort(), p.srcPort(), p.payload()));
                } else {
                    drop(ErrorCode.REFUSED);
                }
            }
            case Packet.PROTO_CONTROL -> onControl(p, now);
            default -> drop(ErrorCode.REFUSED); // unknown protocols are ignored (spec B.3)
        }
    }

    private void onControl(Packet p, long now) {
        if (p.dstPort() == Ports.PING && !p.has(Packet.ACK)) {
            send(PingService.pong(address, p), now); // spec H.2
            return;
        }
        if (p.has(Packet.ACK) && p.srcPort() == Ports.PING) {
            NodeEvent pong = pings.onPong(p, now);
            if (pong != null) {
                event(pong);
                return;
            }
        }
        drop(ErrorCode.REFUSED); // other control ports are ignored (spec H.2), e.g. tunnel keepalives
    }

    private Result<Void> checkDestination(Address dst) {
        if (dst == null || dst.isBroadcast() || dst.node() == address.node() || dst.isZero()) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "not a peer address: " + dst);
        }
        return null;
    }

    private int ephemeral() {
        int p = nextEphemeral;
        nextEphemeral = nextEphemeral == Ports.EPHEMERAL_LAST ? Ports.EPHEMERAL_FIRST : nextEphemeral + 1;
        return p;
    }

    private void event(NodeEvent e) {
        if (events.size() >= cfg.maxEvents()
                && (e instanceof NodeEvent.Datagram || e instanceof NodeEvent.Pong)) {
            drop(ErrorCode.LIMIT_REACHED);
            return;
        }
        events.add(e);
    }

    private void drop(ErrorCode reason) {
        drops.merge(reason, 1L, Long::sum);
    }

    // ================================================================ stream layer output

    /**
     * Drains the stream layer's output after a call into it, in the order it arose: packets go through the
     * tunnel, signals to the application; echo streams are served inside the node (spec H.3).
     */
    private void drainStreams(long now) {
        for (StreamOutput o = streams.poll(); o != null; o = streams.poll()) {
            if (o instanceof StreamOutput.Send s) {
                send(s.packet(), now);
            } else if (o instanceof StreamOutput.Opened x) {
                event(new NodeEvent.StreamOpened(x.stream()));
            } else if (o instanceof StreamOutput.Accepted x) {
                if (!echo.claim(x.stream(), x.localPort())) {
                    event(new NodeEvent.StreamAccepted(x.stream(), x.remote(), x.localPort(), x.remotePort()));
                }
            } else if (o instanceof StreamOutput.Readable x) {
                signal(x.stream(), new NodeEvent.StreamReadable(x.stream()));
            } else if (o instanceof StreamOutput.Writable x) {
                signal(x.stream(), new NodeEvent.StreamWritable(x.stream()));
            } else {
                StreamOutput.Closed x = (StreamOutput.Closed) o; // the sealed interface's last kind
                if (!echo.closed(x.stream())) {
                    event(new NodeEvent.StreamClosed(x.stream(), x.reason()));
                }
            }
        }
    }

    /** Echo streams are served inside the node; every other stream's signal goes to the application. */
    private void signal(int stream, NodeEvent e) {
        if (!echo.signal(stream)) {
            event(e);
        }
    }

    /** Serves the echo streams that are due until none is: serving one drains its output, which may make it due again. */
    private void serveEcho(long now) {
        do {
            echo.service(streams, cfg.stream().sendBufferBytes(), now);
            drainStreams(now);
        } while (echo.hasDue());
    }
}
