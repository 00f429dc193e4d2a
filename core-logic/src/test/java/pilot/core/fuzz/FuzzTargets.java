package pilot.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.addr.SocketAddr;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.handshake.SessionSnapshot;
import pilot.core.json.Json;
import pilot.core.node.NodeConfig;
import pilot.core.node.PilotNode;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;
import pilot.core.wire.U64;

/**
 * The bodies of the fuzz targets (Jazzer): each decoder and the whole datagram path, asserting the
 * typed-error contract (no exception escapes, state stays bounded). {@link DecoderFuzzTest} replays the
 * committed corpus in every test run; the nested {@code fuzzerTestOneInput} classes are the entry points
 * scripts/fuzz.sh fuzzes for a fixed time.
 */
public final class FuzzTargets {
    private FuzzTargets() {
    }

    static final BouncyCastleSuite SUITE = new BouncyCastleSuite();

    public static void packetDecode(byte[] input) {
        Result<Packet> r = PacketCodec.decode(input);
        if (r.isOk()) {
            byte[] again = PacketCodec.encode(r.value());
            assertArrayEquals(java.util.Arrays.copyOf(input, again.length), again, "decode∘encode is the identity");
        } else {
            assertTrue(r.error() != null && r.detail() != null);
        }
    }

    public static void frameDecode(byte[] input) {
        Result<TunnelFrame> r = FrameCodec.decode(input);
        if (r.isOk()) {
            Result<TunnelFrame> again = FrameCodec.decode(r.value().encode());
            assertTrue(again.isOk());
            assertEquals(r.value().kind(), again.value().kind());
        }
    }

    public static void textParsers(FuzzedDataProvider data) {
        String s = data.consumeString(200);
        Result<Address> a = Address.parse(s);
        if (a.isOk()) {
            assertEquals(a.value(), Address.parse(a.value().toString()).value());
        }
        SocketAddr.parse(s);
        Endpoint.parse(s, data.consumeInt(-5, 70_000));
        U64.parse(s);
        WireProfile.parse(s);
        Json.parse(data.consumeRemainingAsString());
    }

    /** Arbitrary PILS frames against a live session: never accepted unless sealed with its key, never throw. */
    public static void envelopeOpen(FuzzedDataProvider data) {
        byte[] key = new byte[32];
        Session rx = Session.fromKey(WireProfile.MODERN, SUITE, key, new byte[4], 0);
        Session tx = Session.fromKey(WireProfile.MODERN, SUITE, key, new byte[] {1, 2, 3, 4}, 0);
        byte[] genuine = Envelope.seal(tx, 7, new Packet(0, 2, new Address(0, 7), new Address(0, 8), 1, 2, 0, 0, 0, new byte[] {1}));
        assertTrue(Envelope.open(rx, (SealedFrame) FrameCodec.decode(genuine).value()).isOk());
        byte[] input = data.consumeRemainingAsBytes();
        Result<TunnelFrame> f = FrameCodec.decode(input);
        if (f.isOk() && f.value() instanceof SealedFrame s) {
            long max = rx.receiveMax();
            Result<Packet> r = Envelope.open(rx, s);
            if (!r.isOk() && r.error() == ErrorCode.AEAD_FAILED) {
                assertEquals(max, rx.receiveMax(), "a forged frame never moves the window");
            }
        }
    }

    /** Arbitrary key-exchange frames: refused with a code unless correctly signed by a trusted key. */
    public static void keyExchange(FuzzedDataProvider data) {
        LocalIdentity me = new LocalIdentity(1, SUITE.ed25519(new byte[32]));
        PinnedTrust trust = new PinnedTrust().pin(2, SUITE.ed25519(new SeededEntropy(2).bytes(32)).publicKey());
        KeyExchange kx = new KeyExchange(me, SUITE, new SeededEntropy(3), trust, WireProfile.MODERN,
                HandshakeLimits.DEFAULTS.withMaxPeers(8, 4));
        long now = 0;
        while (data.remainingBytes() > 0) {
            now += data.consumeInt(0, 2000);
            byte[] frame = data.consumeBytes(data.consumeInt(0, 200));
            Result<TunnelFrame> f = FrameCodec.decode(frame);
            if (f.isOk() && f.value() instanceof AuthKeyFrame a) {
                assertTrue(kx.onAuthFrame(a, "src" + data.consumeInt(0, 3), now).error() != null || a.senderNode() == 2);
            } else if (f.isOk() && f.value() instanceof AnonKeyFrame k) {
                kx.onAnonFrame(k, "src", now);
            } else if (f.isOk() && f.value() instanceof SealedFrame s) {
                kx.open(s, now);
            }
            assertTrue(kx.peerCount() <= 8 && kx.halfOpenCount() <= 4);
        }
    }

    /**
     * A session snapshot from storage (what a Worker restores after an eviction): decoding never throws, a
     * decoded snapshot encodes back to the same bytes, and restoring any input into a fresh node gives a
     * typed result and leaves at most {@code maxPeers} peers.
     */
    public static void snapshotRestore(byte[] input) {
        Result<SessionSnapshot> r = SessionSnapshot.decode(input, HandshakeLimits.DEFAULTS.maxPeers());
        if (r.isOk()) {
            assertArrayEquals(input, r.value().encode(), "decode∘encode is the identity");
        } else {
            assertTrue(r.error() != null && r.detail() != null);
        }
        LocalIdentity me = new LocalIdentity(1, SUITE.ed25519(new byte[32]));
        PilotNode node = new PilotNode(NodeConfig.DEFAULTS, me, 0, SUITE, new SeededEntropy(4), new PinnedTrust());
        Result<Integer> restored = node.restore(input, 1);
        assertTrue(restored.isOk() || restored.error() != null);
        assertTrue(node.peerCount() <= HandshakeLimits.DEFAULTS.maxPeers());
    }

    /** The whole node: arbitrary datagrams from arbitrary endpoints, interleaved with timers. */
    public static void nodeDatagrams(FuzzedDataProvider data) {
        LocalIdentity me = new LocalIdentity(1, SUITE.ed25519(new byte[32]));
        PinnedTrust trust = new PinnedTrust().pin(2, SUITE.ed25519(new SeededEntropy(2).bytes(32)).publicKey());
        PilotNode node = new PilotNode(NodeConfig.DEFAULTS.withPlaintext(data.consumeBoolean()), me, 0, SUITE,
                new SeededEntropy(4), trust);
        node.listen(1000);
        long now = 1;
        while (data.remainingBytes() > 0) {
            now += data.consumeInt(0, 5000);
            Endpoint from = Endpoint.ipv4(10, 0, 0, data.consumeInt(1, 4), 4000);
            node.handleDatagram(from, data.consumeBytes(data.consumeInt(0, 300)), now);
            if (node.nextDeadline() <= now) {
                node.handleTimeout(now);
                assertTrue(node.nextDeadline() > now, "deadline after handleTimeout is in the future");
            }
            while (node.pollTransmit() != null) {
                // drain
            }
            while (node.pollEvent() != null) {
                // drain
            }
            assertTrue(node.bufferedBytes() < 8L << 20);
        }
    }

    /** Jazzer entry point for {@link #packetDecode}. */
    public static final class PacketDecodeFuzz {
        private PacketDecodeFuzz() {
        }

        public static void fuzzerTestOneInput(byte[] input) {
            packetDecode(input);
        }
    }

    /** Jazzer entry point for {@link #frameDecode}. */
    public static final class FrameDecodeFuzz {
        private FrameDecodeFuzz() {
        }

        public static void fuzzerTestOneInput(byte[] input) {
            frameDecode(input);
        }
    }

    /** Jazzer entry point for {@link #textParsers}. */
    public static final class TextParsersFuzz {
        private TextParsersFuzz() {
        }

        public static void fuzzerTestOneInput(FuzzedDataProvider input) {
            textParsers(input);
        }
    }

    /** Jazzer entry point for {@link #envelopeOpen}. */
    public static final class EnvelopeOpenFuzz {
        private EnvelopeOpenFuzz() {
        }

        public static void fuzzerTestOneInput(FuzzedDataProvider input) {
            envelopeOpen(input);
        }
    }

    /** Jazzer entry point for {@link #keyExchange}. */
    public static final class KeyExchangeFuzz {
        private KeyExchangeFuzz() {
        }

        public static void fuzzerTestOneInput(FuzzedDataProvider input) {
            keyExchange(input);
        }
    }

    /** Jazzer entry point for {@link #nodeDatagrams}. */
    public static final class NodeDatagramsFuzz {
        private NodeDatagramsFuzz() {
        }

        public static void fuzzerTestOneInput(FuzzedDataProvider input) {
            nodeDatagrams(input);
        }
    }

    /** Jazzer entry point for {@link #snapshotRestore}. */
    public static final class SnapshotRestoreFuzz {
        private SnapshotRestoreFuzz() {
        }

        public static void fuzzerTestOneInput(byte[] input) {
            snapshotRestore(input);
        }
    }
}
