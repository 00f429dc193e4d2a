package pilot.core.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.wire.Hex;

/** 0x00 ‖ (length ‖ message)+ both ways; each malformed batch fails whole with its error; the 64 KiB bound. */
class RelayBatchTest {
    static final byte[] A = Hex.decode("047f0000010fa050494c53");
    static final byte[] B = Hex.decode("10" + "00".repeat(15) + "01" + "0fa0" + "50494c41");

    @Test
    void messagesRoundTripInOrder() {
        byte[] batch = RelayBatch.encode(List.of(A, B, A)).value();
        assertEquals("00000b" + Hex.encode(A) + "0017" + Hex.encode(B) + "000b" + Hex.encode(A), Hex.encode(batch));
        assertEquals(RelayBatch.size(List.of(A, B, A)), batch.length);
        RelayBatch s = RelayBatch.split(batch).value();
        assertEquals(3, s.count());
        assertArrayEquals(A, s.message(batch, 0));
        assertArrayEquals(B, s.message(batch, 1));
        assertArrayEquals(A, s.message(batch, 2));
        assertEquals(3, s.offset(0));
        assertTrue(RelayBatch.isBatch(batch));
        assertFalse(RelayBatch.isBatch(A), "a relay message starts with its ipLen");
        assertFalse(RelayBatch.isBatch(new byte[0]));
    }

    @Test
    void malformedBatchesFailWholeWithTheirError() {
        assertEquals(ErrorCode.BAD_MAGIC, RelayBatch.split(A).error());
        assertEquals(ErrorCode.BAD_MAGIC, RelayBatch.split(new byte[0]).error());
        assertEquals(ErrorCode.TRUNCATED, RelayBatch.split(Hex.decode("00")).error(), "no record");
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.split(Hex.decode("000000")).error(), "zero-length record");
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.split(Hex.decode("000001ff0000")).error(), "zero-length record after a good one");
        assertEquals(ErrorCode.TRUNCATED, RelayBatch.split(Hex.decode("00000c" + Hex.encode(A))).error(), "record past the end");
        assertEquals(ErrorCode.TRUNCATED, RelayBatch.split(Hex.decode("00000b" + Hex.encode(A) + "00")).error(), "trailing byte");
        assertEquals(ErrorCode.TRUNCATED, RelayBatch.split(Hex.decode("00ff")).error(), "length cut");
    }

    @Test
    void theBoundIs64KiBBothWays() {
        byte[] half = new byte[(RelayBatch.MAX_BYTES - 1) / 2 - RelayBatch.RECORD_HEADER]; // two fill MAX_BYTES - 1
        half[0] = 4;
        byte[] full = RelayBatch.encode(List.of(half, half)).value();
        assertEquals(RelayBatch.MAX_BYTES - 1, full.length);
        assertEquals(2, RelayBatch.split(full).value().count());
        assertTrue(RelayBatch.fits(RelayBatch.MAX_BYTES - 3, 1), "exactly MAX_BYTES");
        assertFalse(RelayBatch.fits(RelayBatch.MAX_BYTES - 2, 1), "MAX_BYTES + 1");
        assertFalse(RelayBatch.fits(1, 0), "an empty message");
        byte[] over = java.util.Arrays.copyOf(full, RelayBatch.MAX_BYTES + 1);
        over[full.length] = 0; // a cut length: but the size is checked first
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.split(over).error());
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.encode(List.of(half, half, new byte[] {4})).error());
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.encode(List.of()).error(), "no message");
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.encode(List.of(A, new byte[0])).error(), "an empty message");
        assertEquals(ErrorCode.BAD_LENGTH, RelayBatch.encode(List.of(new byte[RelayBatch.MAX_RECORD + 1])).error());
    }
}
