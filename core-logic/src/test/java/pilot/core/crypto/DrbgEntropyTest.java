package pilot.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Worker's entropy (a SHA-256 DRBG over host-supplied seeds): seeded, deterministic per seed, forward-moving. */
class DrbgEntropyTest {
    final CryptoSuite suite = new BouncyCastleSuite();

    static byte[] seed(int fill) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) fill);
        return s;
    }

    @Test
    void aSeedShorterThan32BytesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DrbgEntropy(suite, null));
        assertThrows(IllegalArgumentException.class, () -> new DrbgEntropy(suite, new byte[31]));
    }

    @Test
    void theSameSeedGivesTheSameBytesAndADifferentSeedOthers() {
        byte[] a = new DrbgEntropy(suite, seed(1)).bytes(100);
        assertArrayEquals(a, new DrbgEntropy(suite, seed(1)).bytes(100), "a pure function of the seed");
        assertFalse(Arrays.equals(a, new DrbgEntropy(suite, seed(2)).bytes(100)));
        assertEquals(100, a.length, "more than one SHA-256 block is filled completely");
        assertFalse(Arrays.equals(Arrays.copyOfRange(a, 0, 32), Arrays.copyOfRange(a, 32, 64)), "blocks differ");
    }

    @Test
    void everyRequestMovesTheStateAndAReseedChangesWhatFollows() {
        DrbgEntropy d = new DrbgEntropy(suite, seed(1));
        byte[] first = d.bytes(16);
        assertFalse(Arrays.equals(first, d.bytes(16)), "no output repeats");
        assertEquals(0, d.bytes(0).length, "an empty request is fine");
        DrbgEntropy plain = new DrbgEntropy(suite, seed(1));
        DrbgEntropy reseeded = new DrbgEntropy(suite, seed(1));
        reseeded.reseed(new byte[] {1});
        assertFalse(Arrays.equals(plain.bytes(32), reseeded.bytes(32)));
    }
}
