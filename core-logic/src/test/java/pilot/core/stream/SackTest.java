package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The SACK payload of spec G.4 ("SACK" ‖ count 1..4 ‖ blocks) and what is not one; request/reply policies. */
class SackTest {
    @Test
    void blocksSurviveEncodingAndAtMostFourAreSent() {
        int[] blocks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        byte[] four = Sack.encode(blocks, 5);
        assertEquals(5 + 8 * Sack.MAX_BLOCKS, four.length);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, Sack.decode(four));
    }

    @Test
    void onlyTheExactShapeIsReadAsSack() {
        byte[] ok = Sack.encode(new int[] {1, 2}, 1);
        assertTrue(Sack.startsLikeSack(ok, 0, ok.length));
        for (int i = 0; i < 4; i++) {
            byte[] bad = ok.clone();
            bad[i] = 'x';
            assertNull(Sack.decode(bad), "magic byte " + i);
        }
        byte[] zero = ok.clone();
        zero[4] = 0;
        assertNull(Sack.decode(zero), "no blocks");
        byte[] five = ok.clone();
        five[4] = 5;
        assertNull(Sack.decode(five), "more than four blocks");
        byte[] two = ok.clone();
        two[4] = 2;
        assertNull(Sack.decode(two), "shorter than its count says");
        assertNull(Sack.decode(new byte[] {'S', 'A', 'C', 'K'}), "no count");
        assertFalse(Sack.startsLikeSack(ok, ok.length - 4, 13), "fewer than 5 bytes left at the offset");
    }

    @Test
    void aReplyPolicyRefusesNegativeBoundsAndUnknownExpectations() {
        assertThrows(IllegalArgumentException.class, () -> new ReplyPolicy(ReplyPolicy.ECHO - 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReplyPolicy(10, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ReplyPolicy(10, 0, -1));
        assertTrue(ReplyPolicy.echo().isEcho());
        assertFalse(new ReplyPolicy(ReplyPolicy.UNKNOWN, 0, 0).isEcho());
    }
}
