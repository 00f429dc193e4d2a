package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;

class PacketCodecTest {
    static Arbitrary<Packet> packets() {
        Arbitrary<Address> addr = Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.integers())
                .as(Address::new);
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 65535);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(Arbitraries.integers().between(0, 15), Arbitraries.integers().between(0, 255),
                addr, addr, u16, u16, Arbitraries.integers(), Arbitraries.integers()).flatAs(
                        (flags, proto, src, dst, sp, dp, seq, ack) -> Combinators.combine(u16, payload).as(
                                (win, pl) -> new Packet(flags, proto, src, dst, sp, dp, seq, ack, win, pl)));
    }

    @Provide
    Arbitrary<Packet> anyPacket() {
        return packets();
    }

    @Property
    void encodeThenDecodeIsIdentity(@ForAll("anyPacket") Packet p) {
        byte[] wire = PacketCodec.encode(p);
        assertEquals(PacketCodec.HEADER_SIZE + p.payloadLength(), wire.length);
        assertEquals(p, PacketCodec.decode(wire).value());
    }

    @Property
    void checksumIsJavaUtilZipCrc32OverZeroedHeaderAndPayload(@ForAll("anyPacket") Packet p) {
        byte[] wire = PacketCodec.encode(p);
        byte[] zeroed = wire.clone();
        Bytes.put32(zeroed, PacketCodec.OFF_CHECKSUM, 0);
        CRC32 jdk = new CRC32();
        jdk.update(zeroed);
        assertEquals((int) jdk.getValue(), Bytes.i32(wire, PacketCodec.OFF_CHECKSUM));
    }

    @Property
    void anySingleBitFlipIsRefused(@ForAll("anyPacket") Packet p, @ForAll @IntRange(min = 0, max = 100_000) int where) {
        byte[] wire = PacketCodec.encode(p);
        int bit = where % (wire.length * 8);
        wire[bit / 8] ^= (byte) (1 << (bit % 8));
        ErrorCode e = PacketCodec.decode(wire).error();
        // flipping a length bit can also make the packet look truncated; never accepted
        assertTrue(e == ErrorCode.BAD_CHECKSUM || e == ErrorCode.TRUNCATED || e == ErrorCode.BAD_VERSION, "got " + e);
    }

    @Property
    void trailingBytesAreIgnored(@ForAll("anyPacket") Packet p, @ForAll @Size(max = 20) byte[] junk) {
        byte[] wire = Bytes.concat(PacketCodec.encode(p), junk);
        assertEquals(p, PacketCodec.decode(wire).value());
    }

    /** The envelope's decode (payload left in the plaintext it hands over) is the same packet, field for field. */
    @Property
    void decodeTakingIsDecodeWithoutThePayloadCopy(@ForAll("anyPacket") Packet p, @ForAll @Size(max = 20) byte[] junk) {
        byte[] wire = Bytes.concat(PacketCodec.encode(p), junk);
        Packet copied = PacketCodec.decode(wire).value();
        Packet taken = PacketCodec.decodeTaking(wire.clone()).value();
        assertEquals(copied, taken);
        assertEquals(copied.hashCode(), taken.hashCode());
        assertEquals(copied.toString(), taken.toString());
        assertArrayEquals(p.payload(), taken.payload(), "payload() is the range, not the header or the junk");
        byte[] into = new byte[taken.payloadLength() + 2];
        taken.copyPayload(into, 1);
        assertArrayEquals(Bytes.concat(new byte[1], p.payload(), new byte[1]), into);
        assertEquals(taken, taken.withAckWindow(taken.ack(), taken.window()));
        assertArrayEquals(wire, Bytes.concat(PacketCodec.encode(taken), junk), "re-encodes to the same bytes");
    }

    @Test
    void decodeTakingRefusesWhatDecodeRefuses() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, PacketCodec.decodeTaking(null).error());
        assertEquals(ErrorCode.TRUNCATED, PacketCodec.decodeTaking(new byte[10]).error());
    }

    @Property
    void arbitraryBytesNeverThrow(@ForAll @Size(max = 200) byte[] junk) {
        PacketCodec.decode(junk);
    }

    @Test
    void truncatedInputsAreRefused() {
        Packet p = new Packet(Packet.ACK, 1, Address.ZERO, Address.REGISTRY, 1, 2, 3, 4, 5, new byte[] {1, 2, 3});
        byte[] wire = PacketCodec.encode(p);
        assertEquals(ErrorCode.TRUNCATED, PacketCodec.decode(wire, 0, 33).error());
        assertEquals(ErrorCode.TRUNCATED, PacketCodec.decode(wire, 0, wire.length - 1).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, PacketCodec.decode(wire, 5, wire.length).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, PacketCodec.decode(null).error());
    }

    @Test
    void versionOtherThanOneIsRefusedEvenWithAValidChecksum() {
        Packet p = new Packet(0, 2, Address.ZERO, Address.REGISTRY, 1, 2, 0, 0, 0, null);
        byte[] wire = PacketCodec.encode(p);
        wire[0] = (byte) ((2 << 4) | (wire[0] & 0xF));
        Bytes.put32(wire, PacketCodec.OFF_CHECKSUM, 0);
        Bytes.put32(wire, PacketCodec.OFF_CHECKSUM, Crc32.of(wire, 0, wire.length));
        assertEquals(ErrorCode.BAD_VERSION, PacketCodec.decode(wire).error());
    }

    @Test
    void encodesIntoAnOffset() {
        Packet p = new Packet(Packet.SYN, 1, Address.ZERO, Address.REGISTRY, 49152, 1000, 0, 0, 512, null);
        byte[] out = new byte[40];
        assertEquals(34, PacketCodec.encodeInto(p, out, 6));
        assertArrayEquals(PacketCodec.encode(p), Bytes.slice(out, 6, 34));
        assertEquals(p, PacketCodec.decode(out, 6, 34).value());
    }

    @Test
    void packetsAreImmutableValues() {
        byte[] payload = {1, 2, 3};
        Packet p = new Packet(Packet.ACK, 1, Address.ZERO, Address.REGISTRY, 1, 2, 3, 4, 5, payload);
        payload[0] = 9;
        assertEquals(1, p.payload()[0]);
        p.payload()[1] = 9;
        assertEquals(2, p.payload()[1]);
        assertTrue(p.has(Packet.ACK));
        assertEquals(p.withAckWindow(4, 5), p);
        assertNotEquals(p.withAckWindow(7, 5), p);
        assertEquals(p.hashCode(), p.withAckWindow(4, 5).hashCode());
        assertTrue(p.toString().contains("seq=3"));
        assertThrows(IllegalArgumentException.class,
                () -> new Packet(16, 1, Address.ZERO, Address.ZERO, 0, 0, 0, 0, 0, null));
        assertThrows(IllegalArgumentException.class,
                () -> new Packet(0, 1, Address.ZERO, Address.ZERO, 0, 0, 0, 0, 0, new byte[65536]));
        assertThrows(IllegalArgumentException.class,
                () -> new Packet(0, 1, null, Address.ZERO, 0, 0, 0, 0, 0, null));
    }

    @Test
    void hexAndBytesHelpers() {
        assertEquals("00ff10", Hex.encode(new byte[] {0, -1, 16}));
        assertArrayEquals(new byte[] {0, -1, 16}, Hex.decode("00FF10"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("zz"));
        byte[] b = new byte[8];
        Bytes.put64(b, 0, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, Bytes.i64(b, 0));
        assertTrue(Bytes.constantTimeEquals(new byte[] {1}, new byte[] {1}));
        assertTrue(!Bytes.constantTimeEquals(new byte[] {1}, new byte[] {2}));
        assertTrue(!Bytes.constantTimeEquals(new byte[] {1}, null));
        assertTrue(!Bytes.constantTimeEquals(new byte[] {1}, new byte[2]));
    }
}
