package pilot.core.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;

class FrameCodecTest {
    private static TunnelFrame decode(byte[] b) {
        Result<TunnelFrame> r = FrameCodec.decode(b);
        assertTrue(r.isOk(), () -> r.toString());
        return r.value();
    }

    @Property
    void sealedFramesRoundTrip(@ForAll int sender, @ForAll @Size(12) byte[] nonce, @ForAll @Size(min = 16, max = 200) byte[] ct) {
        SealedFrame f = new SealedFrame(sender, nonce, ct);
        byte[] wire = f.encode();
        assertEquals(SealedFrame.OVERHEAD + ct.length, wire.length);
        assertEquals(f, decode(wire));
        assertEquals(Bytes.i64(nonce, 4), f.counter());
    }

    @Property
    void authFramesRoundTripWithAndWithoutTrailer(@ForAll int sender, @ForAll @Size(32) byte[] x, @ForAll @Size(32) byte[] ed,
                                                 @ForAll @Size(64) byte[] sig, @ForAll @LongRange(min = 0) long caps,
                                                 @ForAll @LongRange(min = 0) long flags) {
        AuthKeyFrame f = new AuthKeyFrame(sender, x, ed, sig, new PilaTrailer(caps, flags));
        AuthKeyFrame back = (AuthKeyFrame) decode(f.encode());
        assertEquals(f, back);
        assertArrayEquals(x, back.x25519());
        assertArrayEquals(ed, back.ed25519());
        assertArrayEquals(sig, back.signature());
        assertEquals(caps == 0 && flags == 0 ? AuthKeyFrame.SIZE : f.encode().length, f.encode().length);
    }

    @Property
    void anonFramesRoundTrip(@ForAll int sender, @ForAll @Size(32) byte[] x) {
        AnonKeyFrame f = new AnonKeyFrame(sender, x);
        assertEquals(AnonKeyFrame.SIZE, f.encode().length);
        assertEquals(f, decode(f.encode()));
    }

    @Property
    void beaconMessagesRoundTrip(@ForAll @IntRange(min = 0, max = 15) int code, @ForAll @Size(max = 50) byte[] body) {
        BeaconFrame f = new BeaconFrame(code, body);
        assertEquals(f, decode(f.encode()));
    }

    @Property
    void arbitraryDatagramsNeverThrow(@ForAll @Size(max = 300) byte[] junk) {
        FrameCodec.decode(junk);
    }

    @Property
    void truncatedKnownFramesAreRefused(@ForAll @IntRange(min = 0, max = 3) int which, @ForAll @IntRange(min = 4, max = 135) int cut) {
        byte[][] frames = {
            new SealedFrame(1, new byte[12], new byte[16]).encode(),
            new AuthKeyFrame(1, new byte[32], new byte[32], new byte[64], null).encode(),
            new AnonKeyFrame(1, new byte[32]).encode(),
            new PlainFrame(new Packet(0, 2, Address.ZERO, Address.REGISTRY, 0, 0, 0, 0, 0, null)).encode()};
        byte[] f = frames[which];
        if (cut < f.length) {
            assertEquals(ErrorCode.TRUNCATED, FrameCodec.decode(Bytes.slice(f, 0, cut)).error());
        }
    }

    @Test
    void aHeldFrameIsItsHeaderWithPlaceholdersAndTakesItsBytesLater() {
        byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        byte[] wire = new SealedFrame(0x0A0B0C0D, nonce, new byte[] {20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36}).encode();
        byte[] header = java.util.Arrays.copyOf(wire, SealedFrame.OVERHEAD);
        byte[] zeros = new byte[wire.length - SealedFrame.OVERHEAD];
        SealedFrame held = (SealedFrame) FrameCodec.decodeHeld(header, zeros).value();
        assertEquals(0x0A0B0C0D, held.senderNode());
        assertArrayEquals(nonce, held.nonce());
        assertArrayEquals(Bytes.concat(header, zeros), held.encode(), "placeholders in the ciphertext's place");
        SealedFrame whole = held.withCiphertext(java.util.Arrays.copyOfRange(wire, SealedFrame.OVERHEAD, wire.length));
        assertArrayEquals(wire, whole.encode(), "the same frame with its own bytes");
        assertArrayEquals(new byte[zeros.length], zeros, "the placeholders were not written");
        byte[] pilt = header.clone();
        pilt[3] = 'T';
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decodeHeld(pilt, zeros).error(), "only a PILS is held");
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decodeHeld(header, new byte[SealedFrame.TAG_SIZE - 1]).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decodeHeld(java.util.Arrays.copyOf(header, 19), zeros).error());
    }

    @Test
    void plainFramesCarryADecodedPacket() {
        Packet p = new Packet(Packet.ACK, 1, Address.ZERO, Address.REGISTRY, 5, 6, 7, 8, 9, new byte[] {1});
        PlainFrame f = (PlainFrame) decode(new PlainFrame(p).encode());
        assertEquals(p, f.packet());
        byte[] bad = new PlainFrame(p).encode();
        bad[bad.length - 1] ^= 1;
        assertEquals(ErrorCode.BAD_CHECKSUM, FrameCodec.decode(bad).error());
    }

    @Test
    void classifiesByFirstBytesAsTheSpecOrders() {
        assertEquals(ErrorCode.TRUNCATED, FrameCodec.decode(new byte[0]).error());
        assertInstanceOf(BeaconFrame.class, decode(new byte[] {0x0F}));
        assertEquals(ErrorCode.TRUNCATED, FrameCodec.decode(new byte[] {'P', 'I', 'L'}).error());
        assertEquals(FrameKind.PUNCH, decode(new PunchFrame().encode()).kind());
        assertArrayEquals(new byte[] {'P', 'I', 'L', 'P'}, new PunchFrame().encode());
        assertEquals(ErrorCode.BAD_MAGIC, FrameCodec.decode(new byte[] {'P', 'I', 'L', 'X', 0}).error());
        Result<TunnelFrame> pilf = FrameCodec.decode(new byte[] {'P', 'I', 'L', 'F', 0, 0, 0, 0});
        assertEquals(ErrorCode.BAD_MAGIC, pilf.error());
        assertTrue(pilf.detail().contains("PILF"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decode(null).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decode(new byte[4], 2, 4).error());
    }

    @Test
    void extraBytesAfterPilkAreIgnored() {
        byte[] wire = Bytes.concat(new AnonKeyFrame(3, new byte[32]).encode(), new byte[] {1, 2, 3});
        assertEquals(new AnonKeyFrame(3, new byte[32]), decode(wire));
    }

    @Test
    void pilaTrailerIsParsedLeniently() {
        byte[] base = new AuthKeyFrame(1, new byte[32], new byte[32], new byte[64], null).encode();
        assertEquals(new PilaTrailer(1, 1), ((AuthKeyFrame) decode(Bytes.concat(base, new byte[] {1, 1}))).trailer());
        assertEquals(new PilaTrailer(300, 0), ((AuthKeyFrame) decode(Bytes.concat(base, new byte[] {(byte) 0xAC, 0x02}))).trailer());
        // truncated varints and over-long varints decode as "no trailer", never as an error
        assertEquals(PilaTrailer.NONE, ((AuthKeyFrame) decode(Bytes.concat(base, new byte[] {(byte) 0x80}))).trailer());
        byte[] eleven = new byte[11];
        java.util.Arrays.fill(eleven, (byte) 0x80);
        assertEquals(PilaTrailer.NONE, ((AuthKeyFrame) decode(Bytes.concat(base, eleven))).trailer());
        assertEquals(new PilaTrailer(5, 0), ((AuthKeyFrame) decode(Bytes.concat(base, new byte[] {5, (byte) 0x80}))).trailer());
        assertFalse(PilaTrailer.NONE.isPresent());
        assertEquals(2, new PilaTrailer(0, PilaTrailer.FLAG_RESPONSE).encode().length);
    }

    @Test
    void challengeIsAuthNodeKey() {
        byte[] x = new byte[32];
        x[0] = 9;
        byte[] c = AuthKeyFrame.challenge(0x00A3F291, x);
        assertEquals("auth", new String(c, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0x00A3F291, Bytes.i32(c, 4));
        assertEquals(9, c[8]);
        assertArrayEquals(c, new AuthKeyFrame(0x00A3F291, x, new byte[32], new byte[64], null).challenge());
    }

    @Test
    void framesAreImmutableAndValidateTheirFields() {
        byte[] ct = new byte[16];
        SealedFrame f = new SealedFrame(1, new byte[12], ct);
        ct[0] = 1;
        assertEquals(0, f.ciphertext()[0]);
        f.nonce()[0] = 1;
        assertEquals(0, f.nonce()[0]);
        assertEquals(f.hashCode(), new SealedFrame(1, new byte[12], new byte[16]).hashCode());
        assertNotEquals(f, new SealedFrame(2, new byte[12], new byte[16]));
        assertTrue(f.toString().contains("counter=0"));
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, new byte[11], new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, new byte[12], new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, new byte[31], new byte[32], new byte[64], null));
        assertThrows(IllegalArgumentException.class, () -> new AnonKeyFrame(1, new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> new BeaconFrame(16, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new PlainFrame(null));
        AuthKeyFrame a = new AuthKeyFrame(7, new byte[32], new byte[32], new byte[64], null);
        assertEquals(a.hashCode(), new AuthKeyFrame(7, new byte[32], new byte[32], new byte[64], PilaTrailer.NONE).hashCode());
        assertTrue(a.toString().contains("sender=7"));
        assertEquals(new AnonKeyFrame(1, new byte[32]).hashCode(), new AnonKeyFrame(1, new byte[32]).hashCode());
        assertEquals(new BeaconFrame(1, new byte[1]).hashCode(), new BeaconFrame(1, new byte[1]).hashCode());
        assertEquals(FrameKind.ANON_KEY, new AnonKeyFrame(1, new byte[32]).kind());
        assertArrayEquals(new byte[] {2}, new BeaconFrame(1, new byte[] {2}).body());
    }
}
