package pilot.wasm;

import java.util.ArrayList;
import java.util.List;
import org.teavm.jso.JSExport;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.edge.RelayMessage;
import pilot.core.crypto.DrbgEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.SealedFrame;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.node.NodeConfig;
import pilot.core.node.EventFields;
import pilot.core.node.NodeEvent;
import pilot.core.node.PeerResolver;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;

/**
 * The production face of core-logic (pilot-core.wasm, what a Worker ships): the node and the two
 * Ed25519 calls a Worker needs for the registry. Everything else (vectors, transcripts, the simulation)
 * lives in {@link ConformanceWasm}, a separate module, so it costs a Worker nothing.
 *
 * <p>One error convention for every export (shared with {@link ConformanceWasm}): a number is the result
 * when {@code >= 0} and minus an {@link ErrorCode} when negative. Byte arrays cross through {@link Io}, one
 * reused region of linear memory: an export reads its inputs from the region (JavaScript passes their
 * lengths) and writes its byte result there, returning its length, or -1 when there is nothing (or the
 * input was refused). Nothing throws across the boundary on bad input. No strings cross
 * per packet: endpoints, events and statistics are byte layouts ({@link Layouts}), and polls return
 * batches. Times are milliseconds as doubles; profiles are {@link WireProfile} ordinals.
 */
public final class NodeWasm {
    /**
     * Everything on the host's node:crypto (a Worker needs nodejs_compat; pilot-core.mjs refuses to load
     * without it) but the X25519 ladder: no Bouncy Castle suite in this module, so no fallback.
     */
    private static final PlatformSuite SUITE = new PlatformSuite(null, true);
    private static final int INVALID = -ErrorCode.INVALID_ARGUMENT.code();
    /** Set in an event's flags byte: its data is the id of the open answer whose plaintext JavaScript holds ({@link HeldPayloads}). */
    private static final int HELD_EVENT = 2;
    /** Stand-ins for what JavaScript keeps: sent payloads, received frames' ciphertext ‖ tag (never written). */
    private static final Zeros PAYLOADS = new Zeros();
    private static final Zeros CIPHERTEXTS = new Zeros();

    private NodeWasm() {
    }

    public static void main(String[] args) {
        // TeaVM needs an entry point; everything is reached through the exports below.
    }

    /** A plain class, not a record: a record's generated equals/hashCode/toString would ship in the module. */
    private static final class Node {
        private final PilotNode node;
        private final PinnedTrust trust;
        private final PeerResolver resolver;
        /** A crypto request polled but left for the next batch (see {@link CryptoBatch#poll}). */
        private final pilot.core.node.CryptoRequest[] carry = new pilot.core.node.CryptoRequest[1];
        /** Seals whose ciphertext JavaScript keeps until their frame leaves. */
        private final HeldSeals seals = new HeldSeals();
        /** Datagram events whose payload JavaScript keeps until they are polled. */
        private final HeldPayloads payloads = new HeldPayloads();

        Node(PilotNode node, PinnedTrust trust, PeerResolver resolver) {
            this.node = node;
            this.trust = trust;
            this.resolver = resolver;
        }

        PilotNode node() {
            return node;
        }

        PinnedTrust trust() {
            return trust;
        }
    }

    /** What the core's resolver does to a Worker's node: the node is set once it exists (it trusts the resolver). */
    private static final class ResolverActions implements PeerResolver.Actions {
        private final PinnedTrust trust;
        private PilotNode node;

        ResolverActions(PinnedTrust trust) {
            this.trust = trust;
        }

        @Override
        public void addPeer(int peer, Endpoint endpoint, boolean rehandshake, long now) {
            node.addPeer(peer, endpoint, now);
            if (rehandshake) {
                node.rehandshake(peer, now);
            }
        }

        @Override
        public void lookupFailed(int peer, long now) {
            node.peerLookupFailed(peer, now);
        }

        @Override
        public void pin(int peer, byte[] ed25519) {
            trust.pin(peer, ed25519);
        }

        @Override
        public boolean vouched(int peer) {
            return node.lookupVouched(peer);
        }
    }

    // ------------------------------------------------------------------ handles and identity

    /** The region's address once it can hold {@code size} bytes (inputs go there), or -1. */
    @JSExport
    public static int nodeIo(int size) {
        return Io.ensure(size);
    }

    /** Seed (32 bytes) in the region; the public key out, or -1. */
    @JSExport
    public static int ed25519Public() {
        byte[] seed = Io.in(0, 32);
        return seed == null ? -1 : Io.out(SUITE.ed25519(seed).publicKey());
    }

    /** Seed (32 bytes) ‖ message ({@code messageLen}) in the region; the signature out, or -1. */
    @JSExport
    public static int ed25519Sign(int messageLen) {
        byte[] seed = Io.in(0, 32);
        byte[] message = Io.in(32, messageLen);
        return seed == null || message == null ? -1 : Io.out(SUITE.ed25519(seed).sign(message));
    }

    /**
     * Ed25519 verification (a relay's relay_proof when it dials into a Worker): key ‖ message ‖ signature in
     * the region; 1 when it verifies, 0 for a wrong or malformed key or signature.
     */
    @JSExport
    public static int ed25519Verify(int keyLen, int messageLen, int signatureLen) {
        byte[] key = Io.in(0, keyLen);
        byte[] message = Io.in(keyLen, messageLen);
        byte[] signature = Io.in(keyLen + messageLen, signatureLen);
        return key != null && message != null && signature != null && SUITE.ed25519Verify(key, message, signature) ? 1 : 0;
    }

    /** {@code network * 2^32 + node} (exact in a double: the network has 16 bits), or minus an error code. */
    @JSExport
    public static double addressParse(String text) {
        Result<Address> r = Address.parse(text);
        return r.isOk() ? packAddress(r.value()) : -r.error().code();
    }

    // ------------------------------------------------------------------ the node

    /**
     * A node for our identity: identity seed ({@code seedLen}, must be 32) ‖ entropy seed
     * ({@code entropyLen}, at least 32 bytes from a CSPRNG: {@code crypto.getRandomValues}) in the region;
     * returns a handle, or minus an error code. {@code streamMss}: the stream segment we send, 0 for the default
     * (1024), else 1024..4096 (one window unit), e.g. what the relay says its UDP leg carries whole.
     */
    @JSExport
    public static int nodeNew(int node, int network, int seedLen, int entropyLen, int profile, boolean echo, int streamMss) {
        byte[] identitySeed = seedLen == 32 ? Io.in(0, 32) : null;
        byte[] entropySeed = Io.in(seedLen, entropyLen);
        WireProfile p = profile(profile);
        if (p == null || identitySeed == null || identitySeed.length != 32 || entropySeed == null || entropySeed.length < 32
                || network < 0 || network > 0xFFFF || (streamMss != 0 && (streamMss < NodeConfig.DEFAULTS.stream().mss()
                || streamMss > NodeConfig.DEFAULTS.stream().windowUnit()))) {
            return INVALID;
        }
        NodeConfig cfg = NodeConfig.DEFAULTS.withProfile(p).withEcho(echo);
        if (streamMss != 0) {
            cfg = cfg.withStream(cfg.stream().withMss(streamMss));
        }
        PinnedTrust trust = new PinnedTrust();
        DrbgEntropy entropy = new DrbgEntropy(SUITE, entropySeed);
        LocalIdentity id = new LocalIdentity(node, SUITE.ed25519(identitySeed));
        trust.pin(node, id.publicKey());
        ResolverActions actions = new ResolverActions(trust);
        PeerResolver resolver = new PeerResolver(trust, actions);
        PilotNode n = new PilotNode(cfg, id, network, SUITE, entropy,
                resolver::trustedKey);
        actions.node = n;
        return Handles.put(new Node(n, trust, resolver));
    }

    /**
     * The peer's Ed25519 key ({@code len}, must be 32) in the region. {@code answer} 0: pin it now (a key the
     * application gives); 1: the registry's look-up answer, for the resolver (held until a session confirms it).
     */
    @JSExport
    public static int nodeTrust(int handle, int peer, int len, int answer, double now) {
        Node n = node(handle);
        byte[] ed25519 = Io.in(0, len);
        if (n == null || ed25519 == null || ed25519.length != 32) {
            return INVALID;
        }
        if (answer == 1) {
            n.resolver.lookedUp(peer, ed25519, (long) now);
        } else {
            n.trust().pin(peer, ed25519);
        }
        return 0;
    }

    /**
     * {@code ipLen(1) ‖ ip ‖ port(2)} ({@code len} bytes) in the region. {@code answer} 0: add the peer now;
     * 1: the registry's resolve answer, for the resolver. 0, or minus an error code.
     */
    @JSExport
    public static int nodeAddPeer(int handle, int peer, int len, int answer, double now) {
        Node n = node(handle);
        byte[] endpoint = Io.in(0, len);
        Endpoint e = Layouts.endpoint(endpoint);
        if (n == null || e == null) {
            return INVALID;
        }
        if (answer == 1) {
            n.resolver.resolved(peer, e, (long) now);
        } else {
            n.node().addPeer(peer, e, (long) now);
        }
        return 0;
    }

    /**
     * {@code ipLen(1) ‖ ip ‖ port(2) ‖ datagram} ({@code len} bytes, the relay's layout) in the region.
     * 0, or minus an error code. {@code ref} not 0: a PILS frame whose ciphertext JavaScript keeps under that
     * reference (a node with deferred AEAD only): the region holds the message up to the frame's header
     * ({@code SealedFrame.OVERHEAD} bytes of it), {@code fullLen} is the whole message's length; 1 when the node's
     * open request names the reference (keep the bytes until it is answered), 0 when nothing refers to them.
     */
    @JSExport
    public static int nodeHandleDatagram(int handle, int len, double now, int ref, int fullLen) {
        Node n = node(handle);
        // the header alone first (at most 19 bytes): the frame is copied once, straight into its own array
        RelayMessage m = len < 0 || len > RelayMessage.MAX_BYTES ? null
                : RelayMessage.decode(Io.in(0, Math.min(len, 19))).valueOrNull();
        if (n == null || m == null) {
            return INVALID;
        }
        // a sealed frame JavaScript keeps (ref not 0): only its header crossed; the ciphertext's place holds zeros
        int frame = (ref != 0 ? fullLen : len) - m.frameOffset();
        if (ref != 0 && (len != m.frameOffset() + SealedFrame.OVERHEAD || fullLen > RelayMessage.MAX_BYTES
                || frame < SealedFrame.OVERHEAD + SealedFrame.TAG_SIZE)) {
            return INVALID;
        }
        byte[] datagram = Io.in(m.frameOffset(), len - m.frameOffset()); // one copy loop for both (inlined per call site)
        if (datagram == null) {
            return INVALID; // longer than what JavaScript put in the region
        }
        // one call site for both (TeaVM inlines the node's datagram path into each caller); a kept frame's ciphertext
        // is zeros the node never writes, one array for all
        byte[] placeholders = ref != 0 ? CIPHERTEXTS.of(frame - SealedFrame.OVERHEAD) : null;
        return n.node().handleDatagram(m.peer(), datagram, placeholders, ref, (long) now) ? 1 : 0;
    }

    /**
     * Every queued datagram, up to {@link Layouts#POLL_BATCH_BYTES} (poll again for more): records of
     * {@code length(4) ‖ ipLen(1) ‖ ip ‖ port(2) ‖ datagram}, out through the region; -1 when nothing is queued.
     */
    @JSExport
    public static int nodePollTransmits(int handle) {
        Node n = node(handle);
        if (n == null) {
            return -1;
        }
        List<Transmit> batch = new ArrayList<>();
        int[] heldIds = new int[16];
        int size = 0;
        for (Transmit t = n.node().pollTransmit(); t != null; t = size >= Layouts.POLL_BATCH_BYTES ? null : n.node().pollTransmit()) {
            int id = n.seals.size() == 0 ? 0 : n.seals.take(t.datagram());
            if (batch.size() == heldIds.length) {
                int[] more = new int[heldIds.length * 2];
                System.arraycopy(heldIds, 0, more, 0, heldIds.length);
                heldIds = more;
            }
            heldIds[batch.size()] = id;
            batch.add(t);
            size += Layouts.RECORD_PREFIX + CryptoBatch.transmitSize(t, id != 0);
        }
        if (batch.isEmpty()) {
            return -1;
        }
        if (Io.ensure(size) < 0) {
            return -2;
        }
        // straight into the region: the head of each record through a small array, the frame from its own array
        // (only its header when JavaScript holds its ciphertext)
        byte[] head = new byte[Layouts.RECORD_PREFIX + Layouts.TRANSMIT_HEAD_MAX];
        int at = 0;
        for (int i = 0; i < batch.size(); i++) {
            at = CryptoBatch.transmit(batch.get(i), heldIds[i], head, at);
        }
        return size;
    }

    /**
     * Every queued event, up to {@link Layouts#POLL_BATCH_BYTES} (poll again for more): records of
     * {@code length(4) ‖ event} (layout: {@link Layouts#eventHead}, then a datagram's payload), out through the region; -1 when nothing is queued.
     */
    @JSExport
    public static int nodePollEvents(int handle) {
        Node n = node(handle);
        if (n == null) {
            return -1;
        }
        List<NodeEvent> batch = new ArrayList<>();
        int size = 0;
        for (NodeEvent e = n.node().pollEvent(); e != null; e = size >= Layouts.POLL_BATCH_BYTES ? null : n.node().pollEvent()) {
            if (e instanceof NodeEvent.PeerUp up) {
                n.resolver.sessionUp(up.peer().node()); // its looked-up key is pinned once traffic confirms it
            }
            batch.add(e);
            size += Layouts.RECORD_PREFIX + Layouts.eventSize(EventFields.dataUncopied(e));
        }
        n.resolver.confirm(n.node().keyExchange()::isConfirmed);
        if (batch.isEmpty()) {
            return -1;
        }
        if (Io.ensure(size) < 0) {
            return -2;
        }
        // straight into the region: each record's head through a small array, a datagram's payload from the
        // event's own array (no copy of it in Java: it is only read, and only here)
        byte[] head = new byte[Layouts.RECORD_PREFIX + Layouts.EVENT_HEAD];
        int at = 0;
        for (NodeEvent e : batch) {
            byte[] data = EventFields.dataUncopied(e);
            // a datagram whose payload JavaScript holds (HeldPayloads): the answer's id instead of the bytes
            int held = n.payloads.size() == 0 || !(e instanceof NodeEvent.Datagram) ? 0 : n.payloads.take(e);
            int len = held != 0 ? 4 : data == null ? 0 : data.length;
            Layouts.eventHead(e, head, Layouts.RECORD_PREFIX);
            head[Layouts.RECORD_PREFIX + 1] |= held != 0 ? HELD_EVENT : 0;
            pilot.core.wire.Bytes.put32(head, 0, Layouts.EVENT_HEAD + len);
            Io.write(at, head, 0, head.length);
            if (held != 0) {
                Io.put32(at + head.length, held);
            } else if (len > 0) {
                Io.write(at + head.length, data, 0, len);
            }
            at += head.length + len;
        }
        return at;
    }

    /** {@code len} bytes in the region. Bytes accepted (0 = wait for STREAM_WRITABLE), or minus an error code. */
    @JSExport
    public static int nodeWrite(int handle, int stream, int len, double now) {
        Node n = node(handle);
        byte[] data = Io.in(0, len);
        return n == null || data == null ? INVALID : idOrError(n.node().write(stream, data, (long) now));
    }

    /** Up to {@code max} bytes (possibly none) out through the region, or -1 for an unknown stream. */
    @JSExport
    public static int nodeRead(int handle, int stream, int max, double now) {
        Node n = node(handle);
        return Io.out(n == null ? null : n.node().read(stream, max, (long) now).valueOrNull());
    }

    /**
     * {@code len} payload bytes in the region, or ({@code hostRef} not 0) held by the wrapper under that reference:
     * then NO_SESSION unless the node seals the packet at once. Our source port, or minus an error code.
     */
    @JSExport
    public static int nodeSendDatagram(int handle, int network, int peer, int port, int len, double now, int hostRef) {
        Node n = node(handle);
        byte[] data = hostRef == 0 ? Io.in(0, len) : len < 1 || len > pilot.core.wire.Packet.MAX_PAYLOAD ? null : PAYLOADS.of(len);
        return n == null || data == null || network < 0 || network > 0xFFFF ? INVALID
                : idOrError(n.node().sendDatagram(new Address(network, peer), port, data, hostRef, (long) now));
    }

    /**
     * The AEAD as an effect, one export for both directions: {@code answersLen < 0} polls the node's batch of
     * crypto requests into the region (layout: {@link CryptoBatch}) and returns its length, or -1 when there
     * is none; otherwise hands the node the {@code answersLen} bytes of answers in the region and returns how
     * many, or -1 when malformed. Only for a node made with {@code OP_DEFER_AEAD}.
     */
    @JSExport
    public static int nodeCrypto(int handle, int answersLen, double now) {
        Node n = node(handle);
        if (n == null) {
            return -1;
        }
        return answersLen < 0 ? CryptoBatch.poll(n.node(), n.carry, n.seals)
                : CryptoBatch.done(n.node(), answersLen, (long) now, n.seals, n.payloads);
    }

    /** Layout: {@link Layouts#stats}, out through the region; -1 for an unknown handle. */
    @JSExport
    public static int nodeStats(int handle) {
        Node n = node(handle);
        return Io.out(n == null ? null : Layouts.stats(n.node()));
    }

    /**
     * Sessions across an eviction (docs/SPEC-NOTES.md #37), one export for both directions (every export costs
     * a wrapper in the module): {@code restoreLen < 0} returns the snapshot to persist (out through the region) and clears the due mark
     * (op SNAPSHOT_DUE); otherwise restores the {@code restoreLen} bytes in the region into a node that handled nothing yet and returns 4 bytes, the
     * number of sessions restored or minus an error code (big-endian int). -1 for an unknown handle.
     */
    @JSExport
    public static int nodeSessions(int handle, int restoreLen, double now) {
        Node n = node(handle);
        if (n == null) {
            return -1;
        }
        if (restoreLen < 0) {
            return Io.out(n.node().snapshot((long) now));
        }
        byte[] restore = Io.in(0, restoreLen);
        if (restore == null) {
            return -1;
        }
        byte[] out = new byte[4];
        pilot.core.wire.Bytes.put32(out, 0, idOrError(n.node().restore(restore, (long) now)));
        return Io.out(out);
    }

    // ------------------------------------------------------------------ the number-only calls, through one export

    // Operation codes of nodeOp; pilot-core.mjs names them (NODE_OP). One export instead of fifteen: TeaVM
    // gives every export a wrapper of its own (argument conversion, handle look-up inlined), which was ~8 %
    // of the module.
    static final int OP_FREE = 0;
    static final int OP_LIVE_HANDLES = 1;
    static final int OP_LISTEN = 2;
    static final int OP_OPEN_STREAM = 3;
    static final int OP_CLOSE_STREAM = 4;
    static final int OP_ABORT_STREAM = 5;
    static final int OP_PING = 6;
    static final int OP_PEER_LOOKUP_FAILED = 7;
    static final int OP_HANDLE_TIMEOUT = 8;
    static final int OP_NEXT_DEADLINE = 9;
    static final int OP_HAS_SESSION = 10;
    static final int OP_AT_EOF = 11;
    static final int OP_FLUSH_STREAMS = 12;
    static final int OP_SET_PROFILE = 13;
    static final int OP_EXPECT_REPLY = 14;
    static final int OP_REHANDSHAKE = 15;
    static final int OP_SNAPSHOT_DUE = 16;
    static final int OP_PLATFORM_AEAD = 17;
    static final int OP_RESOLVE_NEEDED = 18;
    static final int OP_RESOLVE_NEXT = 19;
    static final int OP_RESOLVE_FAILED = 20;
    /** Kept apart from the numbers above, so that other new ops cannot collide with it. */
    static final int OP_DEFER_AEAD = 32;
    /** For tests: the seals whose ciphertext JavaScript keeps ({@link HeldSeals}). */
    static final int OP_HELD = 40;
    /** Apart as well (the `dl` work added it beside the AEAD one). */
    static final int OP_COALESCE_ACKS = 33;
    /** Apart as well (the `mss` work: a Worker that moved to another relay). */
    static final int OP_STREAM_MSS = 34;

    /**
     * The node calls that take and return only numbers. Booleans come back as 1 / 0; everything else
     * follows the one convention (a result {@code >= 0}, or minus an error code). Arguments by op:
     * FREE, LIVE_HANDLES, HANDLE_TIMEOUT, NEXT_DEADLINE (-1 = none), FLUSH_STREAMS: none;
     * LISTEN a=port; OPEN_STREAM a=network b=peer c=port; CLOSE_STREAM a=stream b=CloseMode ordinal;
     * ABORT_STREAM, AT_EOF a=stream; PING a=network b=peer; PEER_LOOKUP_FAILED, HAS_SESSION a=peer;
     * SET_PROFILE a=peer b=profile ordinal; EXPECT_REPLY a=stream c=maxAheadBytes x=expectBytes y=quietMillis;
     * REHANDSHAKE a=peer (our endpoint moved: a fresh handshake with a peer we hold a session with; 1 if one started);
     * SNAPSHOT_DUE: 0 none, 1 advisory, 2 required (persist nodeSnapshot before this step's datagrams leave).
     * PLATFORM_AEAD: none (always 1: the crypto runs on the host's node:crypto; kept for the wrapper's aead()).
     * The resolver (the core's lookup → pin → resolve policy; answers through nodeTrust / nodeAddPeer with answer 1):
     * RESOLVE_NEEDED a=peer b=1 to re-handshake once resolved (PEER_NEEDED, or our endpoint moved);
     * RESOLVE_NEXT: the next registry call, kind (1 lookup, 2 resolve) * 2^32 + peer, or -1;
     * RESOLVE_FAILED a=peer b=1 when the registry does not know it (negative cache), 0 for a transport error.
     * DEFER_AEAD: from now on the node asks the host for AES-GCM ({@link #nodeCrypto}); call right after nodeNew;
     * a=1: the packet checksums too ({@code PilotNode.deferChecksum}: {@link CryptoBatch#SEAL_CHECKSUM}, {@link CryptoBatch#OPEN_CHECKSUM}).
     * COALESCE_ACKS: from now on new streams send one ACK per stream after each input, when the host runs the due
     * timers, instead of one per two segments during it (StreamConfig.coalesceAcks); call right after nodeNew.
     * STREAM_MSS a=the segment size of streams opened from now on, as nodeNew's streamMss (0: the default 1024;
     * else 1024..4096, or INVALID_ARGUMENT and nothing changes): the relay in use changed ({@code PilotNode.setStreamMss}).
     */
    @JSExport
    public static double nodeOp(int op, int handle, int a, int b, int c, double x, double y, double now) {
        if (op == OP_LIVE_HANDLES) {
            return Handles.count();
        }
        if (op == OP_PLATFORM_AEAD) {
            return SUITE.platform() ? 1 : 0;
        }
        if (op == OP_FREE) {
            Handles.free(handle);
            return 0;
        }
        Node n = node(handle);
        if (n == null) {
            return op == OP_AT_EOF || op == OP_FLUSH_STREAMS ? 1 : op == OP_NEXT_DEADLINE ? -1
                    : op == OP_HAS_SESSION || op == OP_REHANDSHAKE || op == OP_SNAPSHOT_DUE ? 0
                    : op == OP_RESOLVE_NEXT ? -1 : INVALID;
        }
        PilotNode p = n.node();
        long t = (long) now;
        switch (op) {
            case OP_LISTEN:
                return orError(p.listen(a), 0);
            case OP_OPEN_STREAM:
                return a < 0 || a > 0xFFFF ? INVALID : idOrError(p.openStream(new Address(a, b), c, t));
            case OP_CLOSE_STREAM: {
                CloseMode[] modes = CloseMode.values();
                if (b < 0 || b >= modes.length) {
                    return INVALID;
                }
                p.closeStream(a, modes[b], t);
                return 0;
            }
            case OP_ABORT_STREAM:
                p.abortStream(a, t);
                return 0;
            case OP_PING:
                return a < 0 || a > 0xFFFF ? INVALID : idOrError(p.ping(new Address(a, b), t));
            case OP_PEER_LOOKUP_FAILED:
                p.peerLookupFailed(a, t);
                return 0;
            case OP_RESOLVE_NEEDED:
                n.resolver.peerNeeded(a, b == 1, t);
                return 0;
            case OP_RESOLVE_NEXT: {
                PeerResolver.Request q = n.resolver.pollRequest();
                return q == null ? -1 : (q.lookup() ? 1 : 2) * 4294967296.0 + (q.node() & 0xFFFFFFFFL);
            }
            case OP_RESOLVE_FAILED:
                n.resolver.failed(a, b == 1, t);
                return 0;
            case OP_DEFER_AEAD:
                p.deferAead();
                if (a == 1) {
                    p.deferChecksum(); // the host's node:zlib crc32, far cheaper than the table loop in wasm
                }
                return 0;
            case OP_HELD:
                return n.seals.size();
            case OP_COALESCE_ACKS:
                p.coalesceAcks();
                return 0;
            case OP_STREAM_MSS:
                return p.setStreamMss(a == 0 ? NodeConfig.DEFAULTS.stream().mss() : a) ? 0 : INVALID;
            case OP_HANDLE_TIMEOUT:
                p.handleTimeout(t);
                return 0;
            case OP_NEXT_DEADLINE: {
                long d = p.nextDeadline();
                return d == Long.MAX_VALUE ? -1 : d;
            }
            case OP_HAS_SESSION:
                return p.hasSession(a) ? 1 : 0;
            case OP_REHANDSHAKE:
                return p.rehandshake(a, t) ? 1 : 0;
            case OP_SNAPSHOT_DUE:
                return p.snapshotDue();
            case OP_AT_EOF:
                return p.atEof(a) ? 1 : 0;
            case OP_FLUSH_STREAMS:
                p.flushStreams(t);
                return p.streamsSettled() ? 1 : 0;
            case OP_SET_PROFILE: {
                WireProfile wp = profile(b);
                if (wp == null) {
                    return INVALID;
                }
                p.setProfile(a, wp);
                return 0;
            }
            case OP_EXPECT_REPLY:
                if (!(x >= ReplyPolicy.ECHO) || x > 9.0e15 || c < 0 || !(y >= 0) || y > 9.0e15) {
                    return INVALID;
                }
                return orError(p.expectReply(a, new ReplyPolicy((long) x, c, (long) y), t), 0);
            default:
                return INVALID;
        }
    }

    // ------------------------------------------------------------------ helpers

    static WireProfile profile(int ordinal) {
        WireProfile[] all = WireProfile.values();
        return ordinal < 0 || ordinal >= all.length ? null : all[ordinal];
    }

    static double packAddress(Address a) {
        return a.network() * 4294967296.0 + a.nodeUnsigned();
    }

    private static Node node(int handle) {
        return Handles.get(handle) instanceof Node n ? n : null;
    }

    private static int orError(Result<?> r, int ok) {
        return r.isOk() ? ok : -r.error().code();
    }

    private static int idOrError(Result<Integer> r) {
        return r.isOk() ? r.value() : -r.error().code();
    }
}
