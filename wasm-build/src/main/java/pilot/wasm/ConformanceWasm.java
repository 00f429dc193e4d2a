package pilot.wasm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.teavm.jso.JSExport;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
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
import pilot.core.sim.SimConfig;
import pilot.core.sim.SimReport;
import pilot.core.sim.Simulation;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;
import pilot.core.wire.U64;

/**
 * The conformance face of core-logic (pilot-conformance.wasm, test-only, never shipped to a Worker):
 * codecs, crypto, envelope, replay window and key-exchange transcripts for the language-neutral vectors,
 * and the network simulation for the trace hashes. The node itself is {@link NodeWasm}.
 *
 * <p>The same error convention as {@link NodeWasm}: a number is the result when {@code >= 0} and minus an
 * {@link ErrorCode} when negative; a byte array is null when the input was refused; results with several
 * fields are JSON with {@code ok/error/error_code}. Times are milliseconds as doubles; 64-bit counters
 * travel as decimal strings.
 */
public final class ConformanceWasm {
    /**
     * The production module's platform suite when the host offers node:crypto (so the vectors check that path),
     * with Bouncy Castle behind it; Bouncy Castle alone when it does not ({@code loadConformance(…, { crypto: false })}).
     */
    private static final PlatformSuite SUITE = new PlatformSuite(new BouncyCastleSuite(), PlatformSuite.available() == 1);

    private ConformanceWasm() {
    }

    /** 1 when the crypto of every export runs on the host's node:crypto (the production module's suite), 0 for Bouncy Castle. */
    @JSExport
    public static int platformAead() {
        return SUITE.platform() ? 1 : 0;
    }

    public static void main(String[] args) {
        // TeaVM needs an entry point; everything is reached through the exports below.
    }

    /** A key exchange under test and the trust it consults. */
    private record Kx(KeyExchange kx, PinnedTrust trust) {
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

    /** 0 = accept, else minus {@link ErrorCode#REPLAY} / {@link ErrorCode#TOO_OLD} (or INVALID_ARGUMENT). */
    @JSExport
    public static int replayCheck(int handle, String counter) {
        ReplayWindow w = Handles.get(handle) instanceof ReplayWindow r ? r : null;
        Long c = u64(counter);
        if (w == null || c == null) {
            return -ErrorCode.INVALID_ARGUMENT.code();
        }
        ErrorCode e = w.check(c);
        return e == null ? 0 : -e.code();
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
        return Handles.put(new Kx(kx, trust));
    }

    @JSExport
    public static void kxTrust(int handle, int node, byte[] ed25519) {
        if (Handles.get(handle) instanceof Kx k && ed25519 != null && ed25519.length == 32) {
            k.trust().pin(node, ed25519);
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
        return Handles.get(handle) instanceof Kx k ? k.kx() : null;
    }

    // ------------------------------------------------------------------ the network simulation

    /** Runs {@code SimConfig.forSeed(seed, bytes)}: {ok, trace, packets, stream_bytes, violations}. */
    @JSExport
    public static String simRun(String seed, int bytesPerStream) {
        Long s = signed(seed);
        if (s == null || bytesPerStream < 0) {
            return Json.write(WireJson.result(Result.fail(ErrorCode.INVALID_ARGUMENT, "decimal seed and byte count required")));
        }
        SimReport r = Simulation.run(SimConfig.forSeed(s, bytesPerStream));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.ok());
        m.put("trace", r.traceHex());
        m.put("packets", r.packets());
        m.put("stream_bytes", r.streamBytes());
        m.put("violations", r.violations());
        return Json.write(m);
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
