package pilot.wasm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.teavm.jso.JSExport;
import pilot.core.ErrorCode;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.DrbgEntropy;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.ReplayWindow;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.OpenResult;
import pilot.core.handshake.PinnedTrust;
import pilot.core.json.Json;
import pilot.core.json.WireJson;
import pilot.core.node.NodeConfig;
import pilot.core.node.NodeEvent;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.core.wire.Bytes;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;
import pilot.core.wire.U64;

/**
 * The WebAssembly face of core-logic: static functions over plain values, byte arrays (Int8Array in
 * JavaScript) and integer handles. Nothing here throws across the boundary on bad input: failures are
 * numeric {@link ErrorCode}s (negative where a count or id is expected) or JSON with
 * {@code ok/error/error_code}. Times are milliseconds as doubles. 64-bit counters travel as decimal strings.
 */
public final class PilotWasm {
    private static final CryptoSuite SUITE = new BouncyCastleSuite();
    /** Byte layout of a polled event, before its data (see pilot-core.d.ts). */
    static final int EVENT_HEADER = 26;

    private PilotWasm() {
    }

    public static void main(String[] args) {
        // TeaVM needs an entry point; everything is reached through the exports below.
    }

    private record Node(PilotNode node, PinnedTrust trust, DrbgEntropy entropy) {
    }

    // ------------------------------------------------------------------ meta

    @JSExport
    public static String version() {
        return "pilot-core 0.1.0";
    }

    @JSExport
    public static String errorName(int code) {
        ErrorCode e = ErrorCode.ofCode(code);
        return e == null ? "UNKNOWN" : e.name();
    }

    @JSExport
    public static int liveHandles() {
        return Handles.count();
    }

    @JSExport
    public static void free(int handle) {
        Handles.free(handle);
    }

    // ------------------------------------------------------------------ codecs

    @JSExport
    public static String addressParse(String text) {
        Result<Address> r = Address.parse(text);
        Map<String, Object> m = WireJson.result(r);
        if (r.isOk()) {
            m.put("network", (long) r.value().network());
            m.put("node", r.value().nodeUnsigned());
            m.put("canonical", r.value().toString());
        }
        return Json.write(m);
    }

    /** Encodes a packet (spec B); null when a field is out of range or an address does not parse. */
    @JSExport
    public static byte[] packetEncode(int flags, int protocol, String src, String dst, int srcPort, int dstPort, double seq,
                                      double ack, int window, byte[] payload) {
        Result<Address> s = Address.parse(src);
        Result<Address> d = Address.parse(dst);
        if (!s.isOk() || !d.isOk() || (flags & ~0xF) != 0 || (protocol & ~0xFF) != 0 || (srcPort & ~0xFFFF) != 0
                || (dstPort & ~0xFFFF) != 0 || (window & ~0xFFFF) != 0 || seq < 0 || seq > 0xFFFFFFFFL || ack < 0
                || ack > 0xFFFFFFFFL || (payload != null && payload.length > Packet.MAX_PAYLOAD)) {
            return null;
        }
        return PacketCodec.encode(new Packet(flags, protocol, s.value(), d.value(), srcPort, dstPort, (int) (long) seq,
                (int) (long) ack, window, payload));
    }

    @JSExport
    public static String packetDecode(byte[] wire) {
        Result<Packet> r = PacketCodec.decode(wire);
        Map<String, Object> m = WireJson.result(r);
        if (r.isOk()) {
            m.put("fields", WireJson.packetFields(r.value()));
        }
        return Json.write(m);
    }

    @JSExport
    public static String frameDecode(byte[] datagram) {
        Result<TunnelFrame> r = FrameCodec.decode(datagram);
        Map<String, Object> m = WireJson.result(r);
        if (r.isOk()) {
            WireJson.describeFrame(m, r.value());
        }
        return Json.write(m);
    }

    // ------------------------------------------------------------------ crypto

    @JSExport
    public static byte[] x25519Public(byte[] privateKey) {
        return privateKey == null || privateKey.length != 32 ? null : SUITE.x25519PublicKey(privateKey);
    }

    @JSExport
    public static byte[] x25519Shared(byte[] privateKey, byte[] peerPublic) {
        return SUITE.x25519SharedSecret(privateKey, peerPublic);
    }

    @JSExport
    public static byte[] sessionKey(String profile, byte[] shared) {
        WireProfile p = WireProfile.parse(profile);
        return p == null || shared == null ? null : p.sessionKey(SUITE, shared);
    }

    @JSExport
    public static byte[] ed25519Public(byte[] seed) {
        return seed == null || seed.length != 32 ? null : SUITE.ed25519(seed).publicKey();
    }

    @JSExport
    public static byte[] ed25519Sign(byte[] seed, byte[] message) {
        return seed == null || seed.length != 32 || message == null ? null : SUITE.ed25519(seed).sign(message);
    }

    @JSExport
    public static boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature) {
        return SUITE.ed25519Verify(publicKey, message, signature);
    }

    @JSExport
    public static byte[] sha256(byte[] data) {
        return data == null ? null : SUITE.sha256(data);
    }

    // ------------------------------------------------------------------ envelope and replay window

    /** Seals a marshalled packet with a pinned key, prefix and counter (the vector form of spec E). */
    @JSExport
    public static byte[] seal(String profile, byte[] key, byte[] prefix, String counter, int sender, byte[] packet) {
        WireProfile p = WireProfile.parse(profile);
        Long c = U64.parse(counter);
        if (c == null || p == null || key == null || key.length != 32 || prefix == null || prefix.length != 4 || packet == null) {
            return null;
        }
        return Envelope.seal(Session.fromKey(p, SUITE, key, prefix, c - 1), sender, packet);
    }

    @JSExport
    public static String open(String profile, byte[] key, byte[] frame) {
        WireProfile p = WireProfile.parse(profile);
        if (p == null || key == null || key.length != 32) {
            return Json.write(WireJson.result(Result.fail(ErrorCode.INVALID_ARGUMENT, "profile and 32-byte key required")));
        }
        Result<TunnelFrame> f = FrameCodec.decode(frame);
        Result<Packet> r = f.isOk() && f.value() instanceof SealedFrame s
                ? Envelope.open(Session.fromKey(p, SUITE, key, new byte[4], 0), s)
                : f.isOk() ? Result.fail(ErrorCode.BAD_MAGIC, "not a PILS frame") : f.castFailure();
        Map<String, Object> m = WireJson.result(r);
        if (r.isOk()) {
            m.put("packet_hex", Hex.encode(PacketCodec.encode(r.value())));
        }
        return Json.write(m);
    }

    @JSExport
    public static int replayNew() {
        return Handles.put(new ReplayWindow());
    }

    /** 0 = accept, else {@link ErrorCode#REPLAY} / {@link ErrorCode#TOO_OLD} (or INVALID_ARGUMENT). */
    @JSExport
    public static int replayCheck(int handle, String counter) {
        ReplayWindow w = Handles.get(handle) instanceof ReplayWindow r ? r : null;
        Long c = u64(counter);
        if (w == null || c == null) {
            return ErrorCode.INVALID_ARGUMENT.code();
        }
        ErrorCode e = w.check(c);
        return e == null ? 0 : e.code();
    }

    @JSExport
    public static void replayCommit(int handle, String counter) {
        ReplayWindow w = Handles.get(handle) instanceof ReplayWindow r ? r : null;
        Long c = u64(counter);
        if (w != null && c != null) {
            w.commit(c);
        }
    }

    // ------------------------------------------------------------------ key exchange (transcript replays)

    @JSExport
    public static int kxNew(int node, byte[] identitySeed, String entropySeed, String profile) {
        WireProfile p = WireProfile.parse(profile);
        Long seed = signed(entropySeed);
        if (p == null || seed == null || identitySeed == null || identitySeed.length != 32) {
            return -ErrorCode.INVALID_ARGUMENT.code();
        }
        PinnedTrust trust = new PinnedTrust();
        KeyExchange kx = new KeyExchange(new LocalIdentity(node, SUITE.ed25519(identitySeed)), SUITE, new SeededEntropy(seed),
                trust, p, HandshakeLimits.DEFAULTS);
        return Handles.put(new Object[] {kx, trust});
    }

    @JSExport
    public static void kxTrust(int handle, int node, byte[] ed25519) {
        Object[] k = Handles.get(handle) instanceof Object[] a ? a : null;
        if (k != null && ed25519 != null && ed25519.length == 32) {
            ((PinnedTrust) k[1]).pin(node, ed25519);
        }
    }

    @JSExport
    public static byte[] kxStart(int handle, int peer, double now) {
        KeyExchange kx = kx(handle);
        return kx == null ? null : kx.startHandshake(peer, (long) now).valueOrNull();
    }

    @JSExport
    public static String kxOnAuth(int handle, byte[] frame, String source, double now) {
        KeyExchange kx = kx(handle);
        Result<TunnelFrame> f = FrameCodec.decode(frame);
        Map<String, Object> m = new LinkedHashMap<>();
        if (kx == null || !f.isOk() || !(f.value() instanceof AuthKeyFrame a)) {
            m.put("error", ErrorCode.INVALID_ARGUMENT.name());
            return Json.write(m);
        }
        HandshakeResult r = kx.onAuthFrame(a, source, (long) now);
        m.put("error", r.error() == null ? null : r.error().name());
        m.put("installed", r.installed());
        m.put("reply_hex", r.reply() == null ? null : Hex.encode(r.reply()));
        return Json.write(m);
    }

    @JSExport
    public static byte[] kxSeal(int handle, int peer, byte[] packet) {
        KeyExchange kx = kx(handle);
        return kx == null || packet == null ? null : kx.seal(peer, packet).valueOrNull();
    }

    @JSExport
    public static String kxOpen(int handle, byte[] frame, double now) {
        KeyExchange kx = kx(handle);
        Result<TunnelFrame> f = FrameCodec.decode(frame);
        if (kx == null || !f.isOk() || !(f.value() instanceof SealedFrame s)) {
            return Json.write(WireJson.result(Result.fail(ErrorCode.INVALID_ARGUMENT, "handle and PILS frame required")));
        }
        OpenResult r = kx.open(s, (long) now);
        Map<String, Object> m = WireJson.result(r.packet());
        if (r.packet().isOk()) {
            m.put("packet_hex", Hex.encode(PacketCodec.encode(r.packet().value())));
        }
        m.put("rehandshake_hex", r.rehandshake() == null ? null : Hex.encode(r.rehandshake()));
        return Json.write(m);
    }

    private static KeyExchange kx(int handle) {
        Object[] k = Handles.get(handle) instanceof Object[] a ? a : null;
        return k == null ? null : (KeyExchange) k[0];
    }

    // ------------------------------------------------------------------ the node

    /**
     * A node for our identity. {@code entropySeed} must be at least 32 bytes from a CSPRNG
     * ({@code crypto.getRandomValues}); returns a handle, or a negative error code.
     */
    @JSExport
    public static int nodeNew(int node, int network, byte[] identitySeed, byte[] entropySeed, String profile, boolean echo) {
        WireProfile p = WireProfile.parse(profile);
        if (p == null || identitySeed == null || identitySeed.length != 32 || entropySeed == null || entropySeed.length < 32
                || network < 0 || network > 0xFFFF) {
            return -ErrorCode.INVALID_ARGUMENT.code();
        }
        PinnedTrust trust = new PinnedTrust();
        DrbgEntropy entropy = new DrbgEntropy(SUITE, entropySeed);
        LocalIdentity id = new LocalIdentity(node, SUITE.ed25519(identitySeed));
        trust.pin(node, id.publicKey());
        PilotNode n = new PilotNode(NodeConfig.DEFAULTS.withProfile(p).withEcho(echo), id, network, SUITE, entropy, trust);
        return Handles.put(new Node(n, trust, entropy));
    }

    @JSExport
    public static void nodeReseed(int handle, byte[] randomBytes) {
        Node n = node(handle);
        if (n != null && randomBytes != null) {
            n.entropy().reseed(randomBytes);
        }
    }

    @JSExport
    public static void nodeTrust(int handle, int peer, byte[] ed25519) {
        Node n = node(handle);
        if (n != null && ed25519 != null && ed25519.length == 32) {
            n.trust().pin(peer, ed25519);
        }
    }

    @JSExport
    public static void nodeSetProfile(int handle, int peer, String profile) {
        Node n = node(handle);
        WireProfile p = WireProfile.parse(profile);
        if (n != null && p != null) {
            n.node().setProfile(peer, p);
        }
    }

    /** 0, or an error code for a bad endpoint. */
    @JSExport
    public static int nodeAddPeer(int handle, int peer, String ip, int port, double now) {
        Node n = node(handle);
        Result<Endpoint> e = Endpoint.parse(ip, port);
        if (n == null || !e.isOk()) {
            return ErrorCode.INVALID_ARGUMENT.code();
        }
        n.node().addPeer(peer, e.value(), (long) now);
        return 0;
    }

    /** Our endpoint moved (another relay): a fresh handshake with a peer we hold a session with (PilotNode.rehandshake). */
    @JSExport
    public static boolean nodeRehandshake(int handle, int peer, double now) {
        Node n = node(handle);
        return n != null && n.node().rehandshake(peer, (long) now);
    }

    @JSExport
    public static void nodePeerLookupFailed(int handle, int peer, double now) {
        Node n = node(handle);
        if (n != null) {
            n.node().peerLookupFailed(peer, (long) now);
        }
    }

    @JSExport
    public static int nodeHandleDatagram(int handle, String ip, int port, byte[] datagram, double now) {
        Node n = node(handle);
        Result<Endpoint> e = Endpoint.parse(ip, port);
        if (n == null || !e.isOk() || datagram == null) {
            return ErrorCode.INVALID_ARGUMENT.code();
        }
        n.node().handleDatagram(e.value(), datagram, (long) now);
        return 0;
    }

    /** {@code ipLen(1) ‖ ip ‖ port(2) ‖ datagram}, or null when nothing is queued. */
    @JSExport
    public static byte[] nodePollTransmit(int handle) {
        Node n = node(handle);
        Transmit t = n == null ? null : n.node().pollTransmit();
        if (t == null) {
            return null;
        }
        byte[] ip = t.to().ip();
        byte[] d = t.datagram();
        byte[] out = new byte[1 + ip.length + 2 + d.length];
        out[0] = (byte) ip.length;
        System.arraycopy(ip, 0, out, 1, ip.length);
        Bytes.put16(out, 1 + ip.length, t.to().port());
        System.arraycopy(d, 0, out, 3 + ip.length, d.length);
        return out;
    }

    /**
     * {@code kind(1) ‖ flags(1: bit0 peer set) ‖ stream(4) ‖ peerNetwork(2) ‖ peerNode(4) ‖ localPort(2) ‖
     * remotePort(2) ‖ value(8) ‖ error(2) ‖ data}, or null when no event is queued.
     */
    @JSExport
    public static byte[] nodePollEvent(int handle) {
        Node n = node(handle);
        NodeEvent e = n == null ? null : n.node().pollEvent();
        if (e == null) {
            return null;
        }
        byte[] data = e.data() == null ? new byte[0] : e.data();
        byte[] out = new byte[EVENT_HEADER + data.length];
        out[0] = (byte) e.kind().code();
        out[1] = (byte) (e.peer() == null ? 0 : 1);
        Bytes.put32(out, 2, e.stream());
        Bytes.put16(out, 6, e.peer() == null ? 0 : e.peer().network());
        Bytes.put32(out, 8, e.peer() == null ? 0 : e.peer().node());
        Bytes.put16(out, 12, e.localPort());
        Bytes.put16(out, 14, e.remotePort());
        Bytes.put64(out, 16, e.value());
        Bytes.put16(out, 24, e.error() == null ? 0 : e.error().code());
        System.arraycopy(data, 0, out, EVENT_HEADER, data.length);
        return out;
    }

    /** Milliseconds of the next deadline, or -1 when nothing is scheduled. */
    @JSExport
    public static double nodeNextDeadline(int handle) {
        Node n = node(handle);
        long d = n == null ? Long.MAX_VALUE : n.node().nextDeadline();
        return d == Long.MAX_VALUE ? -1 : d;
    }

    @JSExport
    public static void nodeHandleTimeout(int handle, double now) {
        Node n = node(handle);
        if (n != null) {
            n.node().handleTimeout((long) now);
        }
    }

    /** 0, or an error code. */
    @JSExport
    public static int nodeListen(int handle, int port) {
        Node n = node(handle);
        return n == null ? ErrorCode.INVALID_ARGUMENT.code() : code(n.node().listen(port));
    }

    /** A stream id (> 0), or minus an error code. */
    @JSExport
    public static int nodeOpenStream(int handle, int network, int peer, int port, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? -ErrorCode.INVALID_ARGUMENT.code()
                : idOrError(n.node().openStream(new Address(network, peer), port, (long) now));
    }

    /** Bytes accepted (0 = wait for STREAM_WRITABLE), or minus an error code. */
    @JSExport
    public static int nodeWrite(int handle, int stream, byte[] data, double now) {
        Node n = node(handle);
        return n == null ? -ErrorCode.INVALID_ARGUMENT.code() : idOrError(n.node().write(stream, data, (long) now));
    }

    /** Up to {@code max} bytes (possibly none), or null for an unknown stream. */
    @JSExport
    public static byte[] nodeRead(int handle, int stream, int max, double now) {
        Node n = node(handle);
        return n == null ? null : n.node().read(stream, max, (long) now).valueOrNull();
    }

    @JSExport
    public static boolean nodeAtEof(int handle, int stream) {
        Node n = node(handle);
        return n == null || n.node().atEof(stream);
    }

    @JSExport
    public static void nodeCloseStream(int handle, int stream, double now) {
        Node n = node(handle);
        if (n != null) {
            n.node().closeStream(stream, (long) now);
        }
    }

    /**
     * Ends a stream as {@code mode} says: 0 half-close, 1 full close, 2 after the reply (see CloseMode).
     * 0, or an error code for an unknown handle or mode.
     */
    @JSExport
    public static int nodeCloseStreamMode(int handle, int stream, int mode, double now) {
        Node n = node(handle);
        CloseMode[] modes = CloseMode.values();
        if (n == null || mode < 0 || mode >= modes.length) {
            return ErrorCode.INVALID_ARGUMENT.code();
        }
        n.node().closeStream(stream, modes[mode], (long) now);
        return 0;
    }

    /**
     * Makes a stream a request/reply exchange (see ReplyPolicy): {@code expectBytes} -2 echo, -1 unknown,
     * else the reply's length. 0, or an error code.
     */
    @JSExport
    public static int nodeExpectReply(int handle, int stream, double expectBytes, int maxAheadBytes, double quietMillis,
                                      double now) {
        Node n = node(handle);
        if (n == null || !(expectBytes >= ReplyPolicy.ECHO) || expectBytes > 9.0e15 || maxAheadBytes < 0
                || !(quietMillis >= 0) || quietMillis > 9.0e15) {
            return ErrorCode.INVALID_ARGUMENT.code();
        }
        Result<Integer> r = n.node().expectReply(stream,
                new ReplyPolicy((long) expectBytes, maxAheadBytes, (long) quietMillis), (long) now);
        return r.isOk() ? 0 : r.error().code();
    }

    /** Graceful shutdown: sends every pending delayed ACK now; true when no stream has anything of ours in flight. */
    @JSExport
    public static boolean nodeFlushStreams(int handle, double now) {
        Node n = node(handle);
        if (n == null) {
            return true;
        }
        n.node().flushStreams((long) now);
        return n.node().streamsSettled();
    }

    @JSExport
    public static void nodeAbortStream(int handle, int stream, double now) {
        Node n = node(handle);
        if (n != null) {
            n.node().abortStream(stream, (long) now);
        }
    }

    /** Our source port, or minus an error code. */
    @JSExport
    public static int nodeSendDatagram(int handle, int network, int peer, int port, byte[] data, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? -ErrorCode.INVALID_ARGUMENT.code()
                : idOrError(n.node().sendDatagram(new Address(network, peer), port, data, (long) now));
    }

    /** A ping id (PONG / PING_TIMEOUT carry it), or minus an error code. */
    @JSExport
    public static int nodePing(int handle, int network, int peer, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? -ErrorCode.INVALID_ARGUMENT.code()
                : idOrError(n.node().ping(new Address(network, peer), (long) now));
    }

    @JSExport
    public static String nodeStats(int handle) {
        Node n = node(handle);
        Map<String, Object> m = new LinkedHashMap<>();
        if (n != null) {
            PilotNode p = n.node();
            m.put("address", p.address().toString());
            m.put("peers", (long) p.peerCount());
            m.put("streams", (long) p.streamCount());
            m.put("packets_in", p.packetsIn());
            m.put("packets_out", p.packetsOut());
            m.put("buffered_bytes", p.bufferedBytes());
            Map<String, Object> drops = new LinkedHashMap<>();
            for (ErrorCode c : ErrorCode.values()) {
                if (p.droppedCount(c) > 0) {
                    drops.put(c.name(), p.droppedCount(c));
                }
            }
            m.put("dropped", drops);
        }
        return Json.write(m);
    }

    @JSExport
    public static String nodeAddress(int handle) {
        Node n = node(handle);
        return n == null ? null : n.node().address().toString();
    }

    @JSExport
    public static boolean nodeHasSession(int handle, int peer) {
        Node n = node(handle);
        return n != null && n.node().hasSession(peer);
    }

    private static Node node(int handle) {
        return Handles.get(handle) instanceof Node n ? n : null;
    }

    private static int code(Result<?> r) {
        return r.isOk() ? 0 : r.error().code();
    }

    private static int idOrError(Result<Integer> r) {
        return r.isOk() ? r.value() : -r.error().code();
    }

    private static Long u64(String decimal) {
        return U64.parse(decimal);
    }

    private static Long signed(String decimal) {
        try {
            return Long.parseLong(decimal);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
