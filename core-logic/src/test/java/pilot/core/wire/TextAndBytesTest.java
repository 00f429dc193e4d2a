package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hex, ASCII and constant-time comparison: malformed text is refused, never half-read. */
class TextAndBytesTest {
    @Test
    void hexNeedsAnEvenNumberOfHexDigits() {
        assertArrayEquals(new byte[] {(byte) 0xAB, 0x01}, Hex.decode("Ab01"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("g0"), "bad high digit");
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("0g"), "bad low digit");
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("\uFF10\uFF11"), "fullwidth digits are not hex");
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("0\u0661"), "nor Arabic-Indic ones");
    }

    @Test
    void asciiRefusesAnythingAbove127() {
        assertArrayEquals(new byte[] {'o', 'k'}, Bytes.ascii("ok"));
        assertThrows(IllegalArgumentException.class, () -> Bytes.ascii("é"));
    }

    @Test
    void constantTimeEqualsIsFalseForNullOrDifferentLengths() {
        assertTrue(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(Bytes.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 3}));
        assertFalse(Bytes.constantTimeEquals(null, new byte[0]));
        assertFalse(Bytes.constantTimeEquals(new byte[0], null));
        assertFalse(Bytes.constantTimeEquals(new byte[1], new byte[2]));
    }
}
