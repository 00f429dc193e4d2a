package pilot.core.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import pilot.core.wire.Hex;

/** Field offsets of the event record, byte for byte. */
class EventLayoutTest {
    @Test
    void everyFieldAtItsOffset() {
        byte[] out = new byte[EventLayout.size(new byte[] {9, 8})];
        int n = EventLayout.encode(new EventLayout.Fields(9, 0x01020304, true, 0x0506, 0x0708090a, 0x0b0c, 0x0d0e,
                0x0f10111213141516L, 0x1718), new byte[] {9, 8}, out, 0);
        assertEquals(28, n);
        assertEquals("09" + "01" + "01020304" + "0506" + "0708090a" + "0b0c" + "0d0e" + "0f10111213141516" + "1718" + "0908",
                Hex.encode(out));
    }

    @Test
    void noPeerLeavesThePeerFieldsZero() {
        byte[] out = new byte[EventLayout.HEADER];
        EventLayout.encode(new EventLayout.Fields(8, 3, false, 7, 7, 0, 0, -1, 0), null, out, 0);
        assertEquals("08" + "00" + "00000003" + "0000" + "00000000" + "0000" + "0000" + "ff".repeat(8) + "0000", Hex.encode(out));
    }
}
