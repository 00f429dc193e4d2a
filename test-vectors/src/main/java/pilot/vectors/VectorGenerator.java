package pilot.vectors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.BeaconFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.PunchFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.json.Json;
import pilot.core.json.WireJson;
import pilot.core.wire.Bytes;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * Produces the project's own language-neutral vectors from core-logic (the files under
 * {@code test-vectors/generated/}). Everything is derived from fixed seeds, so the output is identical
 * on every run; {@code GeneratedVectorsTest} fails when the checked-in files drift from it, and the wasm
 * build and the TypeScript shim must reproduce every byte.
 *
 * <p>Run: {@code mvn -q -pl test-vectors -am install -DskipTests && mvn -q -pl test-vectors exec:java}.
 */
public final class VectorGenerator {
    private static final CryptoSuite SUITE = new BouncyCastleSuite();

    private VectorGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "generated");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : generateAll().entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + dir.resolve(e.getKey()));
        }
    }

    /** File name → exact file text. */
    public static Map<String, String> generateAll() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("addresses.json", pretty(addresses()));
        files.put("packets.json", pretty(packets()));
        files.put("frames.json", pretty(frames()));
        files.put("envelope.json", pretty(envelope()));
        files.put("replay.json", pretty(replay()));
        files.put("handshake.json", pretty(handshake()));
        files.put("sim-traces.json", pretty(simTraces()));
        files.put("snapshot.json", pretty(SnapshotVectors.generate()));
        return files;
    }

    static Map<String, Object> header(String spec, String note) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generated_by", "test-vectors VectorGenerator (core-logic)");
        m.put("spec", spec);
        m.put("note", note);
        return m;
    }

    static Map<String, Object> addresses() {
        Map<String, Object> top = header("pilot-wire.md A.1", "text -> {network,node} or error code (see ErrorCode)");
        List<Object> cases = new ArrayList<>();
        String[] texts = {"0:0000.0000.0000", "0:0000.0000.0001", "1:0001.00A3.F291", "1:0001.00a3.f291",
            "65535:FFFF.FFFF.FFFF", "258:0102.DEAD.BEEF", "1:00A3.F291.0004", "65536:0000.0000.0000", "1:0001.0000",
            "a:0000.0000.0000", "1:0001.0000.000G", "", "1:0001.0000.0000.0000", "1:0001:0000.0000"};
        for (String t : texts) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("text", t);
            Result<Address> r = Address.parse(t);
            putResult(c, r);
            if (r.isOk()) {
                c.put("network", (long) r.value().network());
                c.put("node", r.value().nodeUnsigned());
                c.put("canonical", r.value().toString());
            }
            cases.add(c);
        }
        top.put("vectors", cases);
        return top;
    }

    static Packet randomPacket(SeededEntropy rng, int maxPayload) {
        int len = (int) Long.remainderUnsigned(rng.nextLong(), maxPayload + 1);
        return new Packet((int) (rng.nextLong() & 0xF), 1 + (int) Long.remainderUnsigned(rng.nextLong(), 3),
                new Address((int) (rng.nextLong() & 0xFFFF), (int) rng.nextLong()),
                new Address((int) (rng.nextLong() & 0xFFFF), (int) rng.nextLong()),
                (int) (rng.nextLong() & 0xFFFF), (int) (rng.nextLong() & 0xFFFF), (int) rng.nextLong(), (int) rng.nextLong(),
                (int) (rng.nextLong() & 0xFFFF), rng.bytes(len));
    }

    static Map<String, Object> fields(Packet p) {
        return WireJson.packetFields(p);
    }

    static Map<String, Object> packets() {
        Map<String, Object> top = header("pilot-wire.md B", "fields -> wire_hex, and wire_hex decodes back; 'corrupt' cases must fail with error");
        SeededEntropy rng = new SeededEntropy(0x5EED_0001L);
        List<Object> cases = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            Packet p = randomPacket(rng, k < 30 ? 64 : 1200);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", "random_" + k);
            c.put("fields", fields(p));
            c.put("wire_hex", Hex.encode(PacketCodec.encode(p)));
            cases.add(c);
        }
        List<Object> corrupt = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            byte[] wire = PacketCodec.encode(randomPacket(rng, 32));
            int mode = k % 4;
            byte[] bad = switch (mode) {
                case 0 -> flipBit(wire, (int) Long.remainderUnsigned(rng.nextLong(), wire.length * 8L));
                case 1 -> Bytes.slice(wire, 0, (int) Long.remainderUnsigned(rng.nextLong(), wire.length));
                case 2 -> withVersion(wire, 2 + (k % 14));
                default -> withLength(wire, (Bytes.u16(wire, 2) + 1 + k) & 0xFFFF);
            };
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", "corrupt_" + k);
            c.put("wire_hex", Hex.encode(bad));
            putResult(c, PacketCodec.decode(bad));
            corrupt.add(c);
        }
        top.put("vectors", cases);
        top.put("corrupt", corrupt);
        return top;
    }

    static byte[] flipBit(byte[] b, int bit) {
        byte[] out = b.clone();
        out[bit / 8] ^= (byte) (1 << (bit % 8));
        return out;
    }

    /** A valid-CRC packet with another version nibble (so the version rule, not the CRC, refuses it). */
    static byte[] withVersion(byte[] wire, int version) {
        byte[] out = wire.clone();
        out[0] = (byte) ((version << 4) | (out[0] & 0xF));
        return recrc(out);
    }

    static byte[] withLength(byte[] wire, int length) {
        byte[] out = wire.clone();
        Bytes.put16(out, 2, length);
        return out;
    }

    static byte[] recrc(byte[] wire) {
        Bytes.put32(wire, 30, 0);
        int n = Math.min(wire.length, 34 + Bytes.u16(wire, 2));
        Bytes.put32(wire, 30, pilot.core.wire.Crc32.of(wire, 0, n));
        return wire;
    }

    static Map<String, Object> frames() {
        Map<String, Object> top = header("pilot-wire.md C, D.4",
                "datagram hex -> kind (PLAIN, SEALED, AUTH_KEY, ANON_KEY, PUNCH, BEACON) and key fields, or error");
        SeededEntropy rng = new SeededEntropy(0x5EED_0002L);
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(new PlainFrame(randomPacket(rng, 16)).encode());
        inputs.add(new SealedFrame(0x00A3F291, rng.bytes(12), rng.bytes(40)).encode());
        inputs.add(new AuthKeyFrame(7, rng.bytes(32), rng.bytes(32), rng.bytes(64), null).encode());
        inputs.add(new AuthKeyFrame(7, rng.bytes(32), rng.bytes(32), rng.bytes(64), new PilaTrailer(1, 3)).encode());
        inputs.add(Bytes.concat(new AuthKeyFrame(8, rng.bytes(32), rng.bytes(32), rng.bytes(64), null).encode(), new byte[] {(byte) 0x81}));
        inputs.add(new AnonKeyFrame(9, rng.bytes(32)).encode());
        inputs.add(Bytes.concat(new AnonKeyFrame(9, rng.bytes(32)).encode(), new byte[] {1, 2}));
        inputs.add(new PunchFrame().encode());
        inputs.add(new BeaconFrame(BeaconFrame.RELAY_DELIVER, rng.bytes(10)).encode());
        inputs.add(new BeaconFrame(BeaconFrame.DISCOVER, new byte[4]).encode());
        inputs.add(new byte[0]);
        inputs.add(new byte[] {'P', 'I'});
        inputs.add(new byte[] {'P', 'I', 'L', 'F', 1, 2, 3, 4});
        inputs.add(new byte[] {'X', 'Y', 'Z', 'W'});
        inputs.add(Bytes.slice(new SealedFrame(1, new byte[12], new byte[16]).encode(), 0, 35));
        inputs.add(Bytes.slice(new AuthKeyFrame(1, new byte[32], new byte[32], new byte[64], null).encode(), 0, 135));
        inputs.add(Bytes.slice(new AnonKeyFrame(1, new byte[32]).encode(), 0, 39));
        byte[] plain = new PlainFrame(randomPacket(rng, 8)).encode();
        plain[plain.length - 1] ^= 1;
        inputs.add(plain);
        List<Object> cases = new ArrayList<>();
        for (byte[] in : inputs) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("hex", Hex.encode(in));
            Result<TunnelFrame> r = FrameCodec.decode(in);
            putResult(c, r);
            if (r.isOk()) {
                WireJson.describeFrame(c, r.value());
            }
            cases.add(c);
        }
        top.put("vectors", cases);
        return top;
    }

    static Map<String, Object> envelope() {
        Map<String, Object> top = header("pilot-wire.md E",
                "seal: key/prefix/counter/sender/plaintext -> frame_hex; open cases give packet or error with a fresh window");
        SeededEntropy rng = new SeededEntropy(0x5EED_0003L);
        List<Object> seals = new ArrayList<>();
        List<Object> opens = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            WireProfile profile = k % 3 == 2 ? WireProfile.FEB2026 : WireProfile.MODERN;
            byte[] key = rng.bytes(32);
            byte[] prefix = rng.bytes(4);
            long counter = k < 6 ? k + 1 : rng.nextLong() >>> (k % 60);
            Packet p = randomPacket(rng, 300);
            int sender = p.src().node();
            byte[] plaintext = PacketCodec.encode(p);
            Session tx = Session.fromKey(profile, SUITE, key, prefix, counter - 1);
            byte[] frame = Envelope.seal(tx, sender, plaintext);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("profile", profile.name().toLowerCase());
            c.put("key_hex", Hex.encode(key));
            c.put("nonce_prefix_hex", Hex.encode(prefix));
            c.put("counter", Long.toUnsignedString(counter));
            c.put("sender", Integer.toUnsignedLong(sender));
            c.put("plaintext_hex", Hex.encode(plaintext));
            c.put("frame_hex", Hex.encode(frame));
            seals.add(c);
            opens.add(openCase("genuine_" + k, profile, key, frame));
            opens.add(openCase("bitflip_" + k, profile, key, flipBit(frame, 8 * 20 + (int) Long.remainderUnsigned(rng.nextLong(), (frame.length - 20) * 8L))));
            WireProfile other = profile == WireProfile.MODERN ? WireProfile.FEB2026 : WireProfile.MODERN;
            opens.add(openCase("other_profile_" + k, other, key, frame));
            byte[] resent = frame.clone();
            Bytes.put32(resent, 4, sender ^ 1);
            opens.add(openCase("wrong_sender_" + k, profile, key, resent));
        }
        // authentic frame whose inner source is not the sealer (spec E.2 step 7)
        byte[] key = rng.bytes(32);
        Packet spoof = randomPacket(rng, 10);
        byte[] spoofFrame = Envelope.seal(Session.fromKey(WireProfile.MODERN, SUITE, key, rng.bytes(4), 0), spoof.src().node() ^ 0x10,
                PacketCodec.encode(spoof));
        opens.add(openCase("spoofed_inner_source", WireProfile.MODERN, key, spoofFrame));
        top.put("seal", seals);
        top.put("open", opens);
        return top;
    }

    static Map<String, Object> openCase(String name, WireProfile profile, byte[] key, byte[] frame) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("profile", profile.name().toLowerCase());
        c.put("key_hex", Hex.encode(key));
        c.put("frame_hex", Hex.encode(frame));
        Result<TunnelFrame> f = FrameCodec.decode(frame);
        Result<Packet> r = f.isOk() && f.value() instanceof SealedFrame s
                ? Envelope.open(Session.fromKey(profile, SUITE, key, new byte[4], 0), s) : f.castFailure();
        putResult(c, r);
        if (r.isOk()) {
            c.put("packet_hex", Hex.encode(PacketCodec.encode(r.value())));
        }
        return c;
    }

    static Map<String, Object> replay() {
        Map<String, Object> top = header("pilot-wire.md F (modern-fixed order)",
                "fresh window per case; per frame: check, then (if aead_ok) commit; verdicts accept/replay/too_old/aead_fail");
        SeededEntropy rng = new SeededEntropy(0x5EED_0004L);
        List<Object> cases = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            ReplayWindow w = new ReplayWindow();
            List<Object> counters = new ArrayList<>();
            List<Object> ok = new ArrayList<>();
            List<Object> verdicts = new ArrayList<>();
            long c = 1 + Long.remainderUnsigned(rng.nextLong(), 1000);
            for (int n = 0; n < 60; n++) {
                long step = Long.remainderUnsigned(rng.nextLong(), 700) - 300;
                c = k == 29 && n == 10 ? Long.MIN_VALUE + n : Math.max(1, c + step);
                boolean aead = Long.remainderUnsigned(rng.nextLong(), 10) != 0;
                ErrorCode v = w.check(c);
                if (v == null && aead) {
                    w.commit(c);
                }
                counters.add(Long.toUnsignedString(c));
                ok.add(aead);
                verdicts.add(v != null ? (v == ErrorCode.REPLAY ? "replay" : "too_old") : aead ? "accept" : "aead_fail");
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", "random_" + k);
            m.put("counters", counters);
            m.put("aead_ok", ok);
            m.put("expect_modern", verdicts);
            cases.add(m);
        }
        top.put("cases", cases);
        return top;
    }

    /**
     * A seeded two-peer PILA exchange and sealed traffic. Peer identities come from the given seeds;
     * each KeyExchange draws its X25519 keys and nonce prefixes from {@code SeededEntropy(entropy_seed)}.
     */
    static Map<String, Object> handshake() {
        Map<String, Object> top = header("pilot-wire.md D, E",
                "replay the steps with KeyExchange(node, ed25519(seed), SeededEntropy(entropy_seed), trust both, profile)");
        List<Object> transcripts = new ArrayList<>();
        transcripts.add(transcript("modern", WireProfile.MODERN, 0x0A000001, 1001, 0x0A000002, 2002));
        transcripts.add(transcript("feb2026", WireProfile.FEB2026, 0x00A3F291, 3003, 4, 4004));
        top.put("transcripts", transcripts);
        return top;
    }

    static Map<String, Object> transcript(String name, WireProfile profile, int aNode, long aSeed, int bNode, long bSeed) {
        byte[] aId = new SeededEntropy(aSeed).bytes(32);
        byte[] bId = new SeededEntropy(bSeed).bytes(32);
        LocalIdentity a = new LocalIdentity(aNode, SUITE.ed25519(aId));
        LocalIdentity b = new LocalIdentity(bNode, SUITE.ed25519(bId));
        PinnedTrust trust = new PinnedTrust().pin(aNode, a.publicKey()).pin(bNode, b.publicKey());
        KeyExchange ka = new KeyExchange(a, SUITE, new SeededEntropy(aSeed + 1), trust, profile, HandshakeLimits.DEFAULTS);
        KeyExchange kb = new KeyExchange(b, SUITE, new SeededEntropy(bSeed + 1), trust, profile, HandshakeLimits.DEFAULTS);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("profile", profile.name().toLowerCase());
        t.put("a", peer(aNode, aId, aSeed + 1, a));
        t.put("b", peer(bNode, bId, bSeed + 1, b));
        List<Object> steps = new ArrayList<>();
        byte[] pila1 = ka.startHandshake(bNode, 0).value();
        steps.add(step("a", "start_handshake", null, pila1, null));
        HandshakeResult r1 = kb.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila1).value(), "127.0.0.1", 0);
        steps.add(step("b", "on_pila", pila1, r1.reply(), r1));
        HandshakeResult r2 = ka.onAuthFrame((AuthKeyFrame) FrameCodec.decode(r1.reply()).value(), "127.0.0.1", 0);
        steps.add(step("a", "on_pila", r1.reply(), r2.reply(), r2));
        HandshakeResult r3 = kb.onAuthFrame((AuthKeyFrame) FrameCodec.decode(r2.reply()).value(), "127.0.0.1", 0);
        steps.add(step("b", "on_pila", r2.reply(), r3.reply(), r3));
        for (int k = 0; k < 3; k++) {
            Packet p = new Packet(Packet.ACK, Packet.PROTO_STREAM, new Address(0, aNode), new Address(0, bNode), 49152, 7, 1 + k, 1,
                    512, ("message " + k).getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = ka.seal(bNode, PacketCodec.encode(p)).value();
            steps.add(step("a", "seal", PacketCodec.encode(p), sealed, null));
            Packet q = new Packet(Packet.ACK, Packet.PROTO_STREAM, new Address(0, bNode), new Address(0, aNode), 7, 49152, 1, 1 + k,
                    511, ("reply " + k).getBytes(StandardCharsets.US_ASCII));
            byte[] sealedBack = kb.seal(aNode, PacketCodec.encode(q)).value();
            steps.add(step("b", "seal", PacketCodec.encode(q), sealedBack, null));
            Result<Packet> opened = kb.open((SealedFrame) FrameCodec.decode(sealed).value(), 1).packet();
            if (!opened.value().equals(p)) {
                throw new IllegalStateException("transcript does not round-trip");
            }
        }
        t.put("steps", steps);
        return t;
    }

    static Map<String, Object> peer(int node, byte[] seed, long entropySeed, LocalIdentity id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", Integer.toUnsignedLong(node));
        m.put("ed25519_seed_hex", Hex.encode(seed));
        m.put("ed25519_public_hex", Hex.encode(id.publicKey()));
        m.put("entropy_seed", Long.toString(entropySeed));
        return m;
    }

    static Map<String, Object> step(String who, String op, byte[] in, byte[] out, HandshakeResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peer", who);
        m.put("op", op);
        if (in != null) {
            m.put("in_hex", Hex.encode(in));
        }
        m.put("out_hex", out == null ? null : Hex.encode(out));
        if (r != null) {
            m.put("error", r.error() == null ? null : r.error().name());
            m.put("installed", r.installed());
        }
        return m;
    }

    /** Trace hashes of seeded network simulations: the wasm build must reproduce each one exactly. */
    static Map<String, Object> simTraces() {
        Map<String, Object> top = header("issue 5: JVM and wasm run the same simulation",
                "SimConfig.forSeed(seed, bytes_per_stream) -> trace (FNV-1a 64 over every datagram and event), packets");
        List<Object> runs = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            pilot.core.sim.SimReport r = pilot.core.sim.Simulation.run(pilot.core.sim.SimConfig.forSeed(seed, 100_000));
            if (!r.ok()) {
                throw new IllegalStateException("simulation seed " + seed + " violated an invariant: " + r);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seed", seed);
            m.put("bytes_per_stream", 100_000L);
            m.put("trace", r.traceHex());
            m.put("packets", r.packets());
            runs.add(m);
        }
        top.put("runs", runs);
        return top;
    }

    static void putResult(Map<String, Object> c, Result<?> r) {
        c.putAll(WireJson.result(r));
    }

    /** One top-level key per line; arrays of vectors one element per line: readable diffs. */
    static String pretty(Map<String, Object> top) {
        StringBuilder sb = new StringBuilder("{\n");
        int k = 0;
        for (Map.Entry<String, Object> e : top.entrySet()) {
            sb.append("  ").append(Json.write(e.getKey())).append(": ");
            if (e.getValue() instanceof List<?> l) {
                sb.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    sb.append("    ").append(Json.write(l.get(i))).append(i + 1 < l.size() ? ",\n" : "\n");
                }
                sb.append("  ]");
            } else {
                sb.append(Json.write(e.getValue()));
            }
            sb.append(++k < top.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }
}
