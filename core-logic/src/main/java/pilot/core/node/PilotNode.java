package pilot.core.node;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.envelope.WireProfile;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.SessionSnapshot;
import pilot.core.handshake.TrustSource;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.core.stream.StreamConfig;
import pilot.core.stream.StreamTable;
import pilot.core.wire.Packet;

/**
 * A whole Pilot peer as one sans-IO state object (in the spirit of quinn-proto): the host feeds it
 * datagrams and the time, and drains datagrams to send, application events and the next deadline.
 * This class is the facade: it wires the parts, each with one job: {@link Tunnel} (received frames to
 * authenticated packets), {@link PeerLinks} (sealing, queueing, handshakes, look-ups), {@link Delivery}
 * (packets to us), {@link StreamPump} (the stream layer's output), {@link NodeOutbox} (what the host
 * drains), and the small services {@link PingService} and {@link EchoService}.
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
    private final Address address;
    private final KeyExchange kx;
    private final StreamTable streams;
    private boolean coalesceAcks;   // coalesceAcks(): new streams' ACKs once per input
    private int streamMss;          // setStreamMss(): new streams' segment, cfg.stream().mss() until then
    private final Tunnel tunnel;
    private final PeerLinks links;
    private final PingService pings = new PingService();
    private final EchoService echo;
    private final NodeOutbox out;
    private final StreamPump pump;
    private final Delivery delivery;
    private final CryptoQueue crypto;
    /** Streams told to wait because the host's AEAD was at its bound: STREAM_WRITABLE once it is below. */
    private final java.util.ArrayList<Integer> waitingForCrypto = new java.util.ArrayList<>();
    private int nextEphemeral;

    /**
     * @param network our network id (the registry assigns 0)
     * @param trust   the Ed25519 key of a node, as the host knows it (pinned or looked up)
     */
    public PilotNode(NodeConfig cfg, LocalIdentity identity, int network, CryptoSuite suite, Entropy entropy,
                     TrustSource trust) {
        this.cfg = cfg;
        this.streamMss = cfg.stream().mss();
        this.address = new Address(network, identity.node());
        this.echo = new EchoService(cfg.echoService());
        this.kx = new KeyExchange(identity, suite, entropy, trust, cfg.profile(), cfg.handshake());
        this.out = new NodeOutbox(cfg);
        Tunnel.Upstream up = new Tunnel.Upstream() {
            @Override
            public void deliver(Packet p, long now) {
                delivery.deliver(p, now);
            }

            @Override
            public void unreachable(Address peer, long now) {
                peerUnreachable(peer, now);
            }
        };
        this.crypto = new CryptoQueue(kx);
        this.links = new PeerLinks(cfg, network, trust, kx, out, up, crypto);
        this.tunnel = new Tunnel(cfg, network, trust, kx, links, out, up, crypto);
        byte[] r = entropy.bytes(4);
        this.nextEphemeral = Ports.EPHEMERAL_FIRST + ((r[0] & 0xFF) << 8 | (r[1] & 0xFF)) % (Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST + 1);
        this.streams = new StreamTable(address, cfg.stream(), this::streamConfigFor, cfg.streams(),
                (r[2] & 0xFF) << 8 | (r[3] & 0xFF));
        kx.peers().keepWhileIn(streams::peerNodes); // a session with streams is never evicted as idle
        this.pump = new StreamPump(streams, echo, links, out, cfg.stream().sendBufferBytes());
        this.delivery = new Delivery(address, streams, pump, pings, links, out);
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
        receive(from, datagram, null, 0, now);
    }

    /**
     * {@link #handleDatagram(Endpoint, byte[], long)}, or ({@code hostRef} not 0) a sealed frame whose ciphertext
     * the host of a node with deferred AEAD keeps itself (a Worker: it never crosses into the core): then
     * {@code datagram} is the frame's header ({@link pilot.core.frame.SealedFrame#OVERHEAD} bytes) and {@code placeholders} stands
     * in for its ciphertext ‖ tag, of their length; the core never writes them (a failed answer hands the bytes over
     * instead: {@link #cryptoRestore}), so the host may hand the same array for many frames. If the
     * frame gets as far as an open request ({@link CryptoRequest.Open#hostRef} is then {@code hostRef}), true: the
     * host keeps the bytes until it answered that request; false: nothing refers to them (refused, dropped).
     * Everything else is exactly the plain call with the whole frame.
     */
    public boolean handleDatagram(Endpoint from, byte[] datagram, byte[] placeholders, int hostRef, long now) {
        if (hostRef != 0 && !crypto.active()) {
            out.drop(ErrorCode.INVALID_STATE); // placeholders in a node that opens in the call: never opened
            return false;
        }
        return receive(from, datagram, placeholders, hostRef, now);
    }

    /** Both {@code handleDatagram}s: the tunnel, then the echo service; true when an open request names {@code hostRef}. */
    private boolean receive(Endpoint from, byte[] datagram, byte[] placeholders, int hostRef, long now) {
        boolean named = tunnel.onDatagram(from, datagram, placeholders, hostRef, now);
        pump.serveEcho(now);
        return named;
    }

    // ================================================================ the AEAD as an effect

    /**
     * From now on this node asks its host for AES-GCM ({@link #pollCrypto}, {@link #cryptoDone}) instead of
     * running its suite's AEAD inside each call: for a host whose cipher is asynchronous (a Worker's
     * WebCrypto). Call once, right after construction; the wire bytes are the same either way.
     */
    public void deferAead() {
        crypto.activate();
    }

    /**
     * Also hands the packet checksum (spec B.2) to the host, for a host that computes CRC-32 natively where the
     * core's own loop is slow (a Worker: node:zlib's crc32 against a table loop in wasm). Every
     * {@link CryptoRequest.Seal}'s packet then comes with its checksum field (bytes 30..33) zero, and the host
     * writes the CRC-32 there before it seals ({@code PacketCodec.fillChecksum}); every answer to an
     * {@link CryptoRequest.Open} says whether the plaintext's checksum matched ({@link #cryptoDone(int, byte[], boolean, long)}:
     * {@code PacketCodec.checksumMatches}), and an answer that does not say so is checked here as before. The
     * checksum is only skipped for a plaintext the host's AEAD authenticated. Call right after {@link #deferAead};
     * the wire bytes are the same.
     */
    public void deferChecksum() {
        crypto.activate();
        crypto.deferChecksums();
    }

    /** Whether {@link #deferChecksum} was called. */
    public boolean checksumDeferred() {
        return crypto.checksums();
    }

    /**
     * The next request for the host's AEAD, or {@code null}: drain after every call, before
     * {@link #pollTransmit} (a frame waits in the outbox until its seal is answered, and nothing overtakes it).
     */
    public CryptoRequest pollCrypto() {
        return crypto.poll();
    }

    /**
     * The answer to a {@link CryptoRequest.Seal} or {@link CryptoRequest.Open}: ciphertext ‖ tag, or the
     * plaintext, or {@code null} when the tag did not verify (or the host failed). Any order is fine: opens
     * re-check the replay window and commit only now, seals were given their counter when asked for. An
     * unknown or repeated id, or an answer of the wrong length, changes nothing but a drop count.
     */
    public void cryptoDone(int id, byte[] output, long now) {
        cryptoDone(id, output, false, now);
    }

    /**
     * {@link #cryptoDone(int, byte[], long)} from a host that checks checksums ({@link #deferChecksum}):
     * {@code checksumChecked} when the opened packet's checksum matched; ignored for seals and for nodes that
     * did not defer it.
     */
    public void cryptoDone(int id, byte[] output, boolean checksumChecked, long now) {
        CryptoQueue.Pending p = crypto.complete(id);
        if (p == null) {
            out.drop(ErrorCode.INVALID_ARGUMENT);
            return;
        }
        if (p.open == null) {
            int len = p.frame.length - pilot.core.frame.SealedFrame.OVERHEAD;
            if (output == null || output.length != len) {
                out.cancel(p.frame, ErrorCode.INVALID_STATE);
            } else {
                System.arraycopy(output, 0, p.frame, pilot.core.frame.SealedFrame.OVERHEAD, len);
                out.sealed(p.frame);
            }
        } else {
            tunnel.onOpenDone(p.open, output == null || output.length != p.open.plainLength ? null : output,
                    checksumChecked && crypto.checksums(), now);
            pump.serveEcho(now);
        }
        if (!waitingForCrypto.isEmpty() && !crypto.full()) {
            for (int stream : waitingForCrypto) {
                out.event(new NodeEvent.StreamWritable(stream));
            }
            waitingForCrypto.clear();
        }
    }

    /**
     * Before answering an open request that named a host reference ({@link CryptoRequest.Open#hostRef}) as failed:
     * the bytes the host kept for it, put in place of the frame's placeholders (which stay as they are), so that the
     * open the node may ask again (under the previous session) carries them; the array is taken, not copied (do not
     * change it afterwards). True when taken; any other id or length changes nothing.
     */
    public boolean cryptoRestore(int id, byte[] ciphertextAndTag) {
        return crypto.restore(id, ciphertextAndTag);
    }

    /** Seals and opens asked of the host and not answered yet (at most {@link #MAX_CRYPTO_IN_FLIGHT} before work is refused). */
    public int cryptoInFlight() {
        return crypto.inFlight();
    }

    /** Session keys the host holds for this node ({@link CryptoRequest.KeyInstall} minus {@link CryptoRequest.KeyDrop}). */
    public int cryptoKeys() {
        return crypto.keyCount();
    }

    /** See {@link CryptoQueue#MAX_IN_FLIGHT}. */
    public static final int MAX_CRYPTO_IN_FLIGHT = CryptoQueue.MAX_IN_FLIGHT;

    // ================================================================ host side, continued

    /** The next datagram to send, or {@code null}. */
    public Transmit pollTransmit() {
        return out.pollTransmit();
    }

    /** Application events queued now (with {@link #datagramEventSince}: which event one call added). */
    public int eventsQueued() {
        return out.eventsQueued();
    }

    /**
     * The newest {@link NodeEvent.Datagram} queued since {@link #eventsQueued} was {@code before}, or null. One
     * {@link #cryptoDone} opens one packet, so a datagram event it queued carries that packet's payload: a host that
     * keeps the plaintext can hand the application its own bytes instead of the event's copy. Changes nothing.
     */
    public NodeEvent.Datagram datagramEventSince(int before) {
        return out.datagramSince(before);
    }

    /** The next application event, or {@code null}. */
    public NodeEvent pollEvent() {
        return out.pollEvent();
    }

    /** When {@link #handleTimeout} must run next; {@code Long.MAX_VALUE} when nothing is scheduled. */
    public long nextDeadline() {
        return Math.min(Math.min(streams.nextDeadline(), links.nextDeadline()), pings.nextDeadline());
    }

    /** Runs every timer due at {@code now}; a spurious call does nothing. */
    public void handleTimeout(long now) {
        links.onTimeout(now);
        for (NodeEvent.PingTimeout e : pings.expire(now)) {
            out.event(e);
            links.pingTimedOut(e.peer().node(), now); // the peer may have moved: ask the host where it is now
        }
        streams.onTimeout(now);
        pump.drain(now);
        pump.serveEcho(now);
    }

    /**
     * The host resolved a peer: its UDP endpoint (and, through the trust source, its Ed25519 key).
     * Starts the handshake if traffic waits, and re-examines a PILA that arrived before its key. A peer we hold a
     * session with (or handshake with) named at another endpoint than the one in use moved: a fresh handshake goes
     * there at once and our traffic waits for it; named at the same endpoint nothing changes.
     */
    public void addPeer(int node, Endpoint endpoint, long now) {
        tunnel.addPeer(node, endpoint, now);
    }

    /** The host could not resolve a peer: its waiting traffic fails. */
    public void peerLookupFailed(int node, long now) {
        tunnel.peerLookupFailed(node, now);
    }

    /**
     * Whether our own side needs {@code node} looked up, not only unauthenticated input: we hold a session with
     * it (installed by an authenticated PILA, or restored from our own snapshot) or traffic the application sent
     * waits for it. The host's resolver lets such look-ups wait for a place ({@link PeerResolver#MAX_WAITING})
     * apart from the ones strangers' frames triggered.
     */
    public boolean lookupVouched(int node) {
        return links.vouched(node);
    }

    /**
     * Our own endpoint changed (a Worker moved to another relay): starts a fresh handshake with {@code node}, a
     * new X25519 key, if we hold a session with it and no handshake runs. A peer that moves our endpoint only on
     * a PILA with a key it never saw (the reference daemon, spec D.2 step 9) learns the new one from it; our
     * packets meanwhile queue and leave sealed under the new session. Returns whether a handshake started.
     */
    public boolean rehandshake(int node, long now) {
        return links.rehandshake(node, now);
    }

    /**
     * A stream with {@code peer} sends segments of the size its generation uses (never smaller than ours,
     * never beyond the window unit): 4096 bytes to a Feb-2026 daemon, whose Nagle logic would otherwise
     * hold every echoed 1024-byte write for a round trip.
     */
    private StreamConfig streamConfigFor(int peer) {
        StreamConfig base = coalesceAcks ? cfg.stream().withCoalescedAcks(true) : cfg.stream();
        int mss = Math.min(base.windowUnit(), Math.max(streamMss, kx.profileFor(peer).streamMss()));
        return mss == base.mss() ? base : base.withMss(mss);
    }

    /**
     * The segment size of streams opened or accepted from now on: for a host whose path changed, e.g. a Worker that
     * moved to another relay (one whose UDP leg is loopback carries 4096-byte segments whole, one on a network only
     * 1024: larger ones would leave as IP fragments, which many paths drop). Streams already open keep theirs: the
     * segments they queued or sent are cut already and are retransmitted as they were (never re-cut), and their
     * congestion window and thresholds were sized from it, so cutting only their later data smaller would not save
     * a stream whose path drops the larger size, while a stream whose path carries it is better left alone.
     * False (nothing changed) outside the default 1024 (spec K) .. the window unit: a boolean, not a Result, as the
     * only failure is that one range (each Result failure site costs the Worker's module bytes).
     */
    public boolean setStreamMss(int mss) {
        StreamConfig node = cfg.stream();
        if (mss < StreamConfig.DEFAULTS.mss() || mss > node.windowUnit() || mss > node.sendBufferBytes()) {
            return false;
        }
        streamMss = mss;
        return true;
    }

    /**
     * From now on new streams coalesce their ACKs per input ({@link StreamConfig#coalesceAcks}): for a host that
     * hands the node a batch at a time and runs the due timers after each (a Worker). Call right after construction.
     */
    public void coalesceAcks() {
        coalesceAcks = true;
    }

    /** Pins the wire profile spoken with one peer (effective from its next session). */
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
        pump.drain(now);
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
        if (crypto.full()) {
            if (!waitingForCrypto.contains(stream)) {
                waitingForCrypto.add(stream);
            }
            // the host's AEAD is at its bound: STREAM_WRITABLE when it is below
            return Result.ok(0); // an unknown stream's error comes with the write after STREAM_WRITABLE
        }
        Result<Integer> r = streams.write(stream, data, off, len, now);
        pump.drain(now);
        return r;
    }

    public Result<byte[]> read(int stream, int max, long now) {
        Result<byte[]> r = streams.read(stream, max, now);
        pump.drain(now);
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
        pump.drain(now);
    }

    /** Ends a stream: half-close, full close, or after the reply (see {@link CloseMode}). */
    public void closeStream(int stream, CloseMode mode, long now) {
        streams.close(stream, mode, now);
        pump.drain(now);
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
        pump.drain(now);
    }

    /** True when no stream has data, a FIN or an ACK of ours still on its way. */
    public boolean streamsSettled() {
        return streams.settled();
    }

    public void abortStream(int stream, long now) {
        streams.abort(stream, now);
        pump.drain(now);
    }

    /** Sends a datagram (spec H.1) from a fresh ephemeral port; returns that port. */
    public Result<Integer> sendDatagram(Address dst, int dstPort, byte[] data, long now) {
        return sendDatagram(dst, dstPort, data, 0, now);
    }

    /**
     * {@link #sendDatagram(Address, int, byte[], long)} whose payload the host holds: {@code data} is placeholders
     * of the payload's length, and the seal asked of the host names {@code hostRef} (not 0) instead
     * ({@link CryptoRequest.Seal#hostRef}), so the payload never crosses into the node. Only where the packet is
     * sealed at once by a host that also sums it ({@link #deferAead}, {@link #deferChecksum}, a session and an
     * endpoint); otherwise NO_SESSION before anything changes (no port taken): the host sends the bytes instead.
     * The packet, its port and its place in the order are those the bytes would have had.
     */
    public Result<Integer> sendDatagram(Address dst, int dstPort, byte[] data, int hostRef, long now) {
        Result<Void> bad = checkDestination(dst);
        if (bad != null) {
            return bad.castFailure();
        }
        if (data == null || data.length == 0 || data.length > Packet.MAX_PAYLOAD || !Ports.isValid(dstPort)) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "datagram needs 1..65535 bytes and a valid port");
        }
        int src = ephemeral();
        Result<Void> sent = links.send(new Packet(0, Packet.PROTO_DATAGRAM, address, dst, src, dstPort, 0, 0, 0, data), hostRef, now);
        if (sent != null && hostRef != 0) {
            nextEphemeral = src; // refused before anything changed: the send with the bytes takes this port
        }
        return sent == null ? Result.ok(src) : sent.castFailure();
    }

    /**
     * Control-protocol ping (spec H.2); PONG or PING_TIMEOUT follows with the returned id. A timeout (TIMED_OUT) also
     * asks the host where the peer is now (PEER_NEEDED, at most once per 10 s per peer: it may have moved).
     */
    public Result<Integer> ping(Address dst, long now) {
        Result<Void> bad = checkDestination(dst);
        if (bad != null) {
            return bad.castFailure();
        }
        int id = pings.nextId();
        int src = ephemeral();
        Result<Void> sent = links.send(PingService.request(address, dst, src, id, now), 0, now);
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
     * to resolve each restored peer again (PEER_NEEDED; {@link #addPeer} at the session's endpoint keeps the session,
     * at another one handshakes afresh: the peer moved while we were gone). Returns the number of sessions restored,
     * or a typed error (malformed, other version, other node, other profile, not fresh); never throws, and allocates
     * at most {@code maxPeers} entries.
     */
    public Result<Integer> restore(byte[] snapshot, long now) {
        Result<SessionSnapshot> s = SessionSnapshot.decode(snapshot, cfg.handshake().maxPeers());
        Result<Integer> r = s.isOk() ? kx.restore(s.value(), now) : s.castFailure();
        if (r.isOk()) {
            links.lookUpAll(now); // its key or endpoint may have moved while we were gone; no handshake follows
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
        return links.peerCount();
    }

    public int streamCount() {
        return streams.streamCount();
    }

    /** Streams neither closed nor lingering in TIME_WAIT. */
    public int activeStreamCount() {
        return streams.activeCount();
    }

    public long droppedCount(ErrorCode reason) {
        return out.droppedCount(reason);
    }

    public long packetsIn() {
        return delivery.packetsIn();
    }

    public long packetsOut() {
        return out.packetsOut();
    }

    /** Bytes held in buffers and queues: the figure that must stay bounded. */
    public long bufferedBytes() {
        return streams.bufferedBytes() + links.queuedBytes() + out.bufferedBytes();
    }

    public KeyExchange keyExchange() {
        return kx;
    }

    // ================================================================ helpers

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

    /** The tunnel gave up on a peer (after its PEER_UNREACHABLE): its streams and pings fail. */
    private void peerUnreachable(Address peer, long now) {
        streams.failPeer(peer, ErrorCode.PEER_UNREACHABLE, now);
        pump.drain(now);
        for (NodeEvent e : pings.failPeer(peer)) {
            out.event(e);
        }
    }
}
