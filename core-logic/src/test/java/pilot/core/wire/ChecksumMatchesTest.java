package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;

/**
 * The checksum half of the deferred-checksum contract (PilotNode.deferChecksum): a host fills the CRC-32 of a packet
 * the core encoded without it, and reports for an opened plaintext whether it matches. What it reports must be
 * exactly what the core's own decode would accept, so a host that uses these two never widens what is delivered.
 */
class ChecksumMatchesTest {
    private static final Packet P = new Packet(0, 1, new Address(0, 0x100), new Address(0, 0x101), 1000, 1001, 7, 9,
            512, new byte[] {1, 2, 3, 4, 5});

    @Test
    void aFilledChecksumIsTheOneEncodeWrites() {
        byte[] b = PacketCodec.encodeWithoutChecksum(P);
        PacketCodec.fillChecksum(b);
        assertArrayEquals(PacketCodec.encode(P), b);
        assertTrue(PacketCodec.checksumMatches(b));
    }

    @Test
    void anythingElseDoesNotMatch() {
        byte[] good = PacketCodec.encode(P);
        assertFalse(PacketCodec.checksumMatches(null), "no plaintext");
        assertFalse(PacketCodec.checksumMatches(Arrays.copyOf(good, PacketCodec.HEADER_SIZE - 1)), "shorter than a header");
        assertFalse(PacketCodec.checksumMatches(Arrays.copyOf(good, good.length - 1)), "shorter than its declared payload");
        byte[] flipped = good.clone();
        flipped[good.length - 1] ^= 1;
        assertFalse(PacketCodec.checksumMatches(flipped), "a payload bit flipped");
        assertFalse(PacketCodec.checksumMatches(PacketCodec.encodeWithoutChecksum(P)), "a checksum never filled");
    }
}
