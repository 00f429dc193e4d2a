package pilot.core.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

class EnvelopeTest {
    private static final CryptoSuite SUITE = new BouncyCastleSuite();
    private static final byte[] KEY = new SeededEntropy(42).bytes(32);
    private static final int A = 0x00A3F291;
    private static final int B = 4;

    private static Session session(WireProfile profile) {
        return Session.fromKey(profile, SUITE, KEY, new byte[] {1, 2, 3, 4}, 0);
    }

    private static Packet packetFrom(int node, byte[] payload) {
        return new Packet(Packet.ACK, Packet.PROTO_STREAM, new Address(1, node), new Address(1, B), 49152, 7, 1, 1, 512, payload);
    }

    private static SealedFrame frame(byte[] wire) {
        return (SealedFrame) FrameCodec.decode(wire).value();
    }

    @Test
    void sealThenOpenDeliversThePacketAndCountsFromOne() {
        for (WireProfile profile : WireProfile.values()) {
            Session tx = session(profile);
            Session rx = session(profile);
            Packet p = packetFrom(A, new byte[] {1, 2, 3});
            byte[] wire = Envelope.seal(tx, A, p);
            SealedFrame f = frame(wire);
            assertEquals(1, f.counter());
            assertEquals(A, f.senderNode());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, Bytes.slice(f.nonce(), 0, 4));
            assertEquals(p, Envelope.open(rx, f).value());
            assertEquals(2, frame(Envelope.seal(tx, A, p)).counter());
            assertEquals(1, rx.receiveMax());
            assertEquals(2, tx.sendCounter());
        }
    }

    @Property(tries = 300)
    void anySingleBitFlipOfASealedFrameFailsToOpen(@ForAll @Size(max = 200) byte[] payload,
                                                  @ForAll @IntRange(min = 0, max = 1_000_000) int where) {
        Session tx = session(WireProfile.MODERN);
        Session rx = session(WireProfile.MODERN);
        byte[] wire = Envelope.seal(tx, A, packetFrom(A, payload));
        int bit = where % (wire.length * 8);
        wire[bit / 8] ^= (byte) (1 << (bit % 8));
        Result<pilot.core.frame.TunnelFrame> decoded = FrameCodec.decode(wire);
        if (decoded.isOk() && decoded.value() instanceof SealedFrame f) {
            Result<Packet> r = Envelope.open(rx, f);
            assertFalse(r.isOk(), "bit " + bit);
            assertEquals(0, rx.receiveMax(), "a forged frame must not move the window");
        }
    }

    @Test
    void profilesCannotOpenEachOther() {
        Packet p = packetFrom(A, new byte[] {9});
        byte[] modern = Envelope.seal(session(WireProfile.MODERN), A, p);
        byte[] legacy = Envelope.seal(session(WireProfile.FEB2026), A, p);
        assertEquals(ErrorCode.AEAD_FAILED, Envelope.open(session(WireProfile.FEB2026), frame(modern)).error());
        assertEquals(ErrorCode.AEAD_FAILED, Envelope.open(session(WireProfile.MODERN), frame(legacy)).error());
        // same key, nonce, plaintext: identical ciphertext, different tag (only the AAD differs)
        assertArrayEquals(Bytes.slice(modern, 0, modern.length - 16), Bytes.slice(legacy, 0, legacy.length - 16));
    }

    @Test
    void modernAadBindsTheSenderId() {
        byte[] wire = Envelope.seal(session(WireProfile.MODERN), A, packetFrom(A, new byte[0]));
        Bytes.put32(wire, 4, A + 1); // claim another sender
        assertEquals(ErrorCode.AEAD_FAILED, Envelope.open(session(WireProfile.MODERN), frame(wire)).error());
    }

    @Test
    void innerSourceMustBeTheSender() {
        byte[] wire = Envelope.seal(session(WireProfile.MODERN), A, packetFrom(A + 7, new byte[] {1}));
        Result<Packet> r = Envelope.open(session(WireProfile.MODERN), frame(wire));
        assertEquals(ErrorCode.SPOOFED_SOURCE, r.error());
    }

    @Test
    void corruptInnerPacketIsRefusedAfterAuthentication() {
        byte[] inner = PacketCodec.encode(packetFrom(A, new byte[] {1}));
        inner[inner.length - 1] ^= 1; // CRC now wrong, but the sealer authenticated these bytes
        byte[] wire = Envelope.seal(session(WireProfile.MODERN), A, inner);
        assertEquals(ErrorCode.BAD_CHECKSUM, Envelope.open(session(WireProfile.MODERN), frame(wire)).error());
    }

    @Test
    void replaysAreRefusedAndForgeriesNeverMoveTheWindow() {
        Session tx = session(WireProfile.MODERN);
        Session rx = session(WireProfile.MODERN);
        byte[] first = Envelope.seal(tx, A, packetFrom(A, new byte[] {1}));
        assertTrue(Envelope.open(rx, frame(first)).isOk());
        assertEquals(ErrorCode.REPLAY, Envelope.open(rx, frame(first)).error());
        // forged frame with a huge counter (spec F.4): fails GCM, window unchanged
        byte[] forged = Envelope.seal(tx, A, packetFrom(A, new byte[] {2}));
        Bytes.put64(forged, 12, Long.MIN_VALUE);
        assertEquals(ErrorCode.AEAD_FAILED, Envelope.open(rx, frame(forged)).error());
        assertEquals(1, rx.receiveMax());
        byte[] third = Envelope.seal(tx, A, packetFrom(A, new byte[] {3}));
        assertTrue(Envelope.open(rx, frame(third)).isOk());
    }

    @Test
    void profilesParseFromText() {
        assertEquals(WireProfile.MODERN, WireProfile.parse(" Modern "));
        assertEquals(WireProfile.FEB2026, WireProfile.parse("feb2026"));
        assertEquals(WireProfile.FEB2026, WireProfile.parse("legacy"));
        assertNull(WireProfile.parse("v2"));
        assertNull(WireProfile.parse(null));
        assertEquals(0, WireProfile.FEB2026.aad(5).length);
        assertArrayEquals(new byte[] {0, 0, 0, 5}, WireProfile.MODERN.aad(5));
        assertThrows(IllegalArgumentException.class, () -> Session.fromKey(WireProfile.MODERN, SUITE, KEY, new byte[3], 0));
    }
}
