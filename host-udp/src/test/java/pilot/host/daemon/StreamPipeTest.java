package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pilot.core.crypto.SeededEntropy;

/** The ring buffer between the event loop and a reading thread: bytes leave in order, across its wrap. */
class StreamPipeTest {
    @Test
    void bytesComeOutInOrderAcrossTheEndOfTheRing() throws IOException {
        StreamPipe pipe = new StreamPipe(10);
        byte[] data = new SeededEntropy(5).bytes(1000);
        byte[] got = new byte[1000];
        int in = 0;
        int out = 0;
        int step = 1;
        while (out < data.length) {
            int n = Math.min(Math.min(pipe.room(), 7 - step % 3), data.length - in); // chunk sizes that straddle the wrap
            pipe.put(Arrays.copyOfRange(data, in, in + n));
            in += n;
            out += pipe.read(got, out, step++ % 4 + 1, 1000);
        }
        assertArrayEquals(data, got);
        assertEquals(1000, pipe.total());
        assertEquals(10, pipe.room());
    }

    @Test
    void moreThanTheRoomIsRefusedAndTheEndIsMinusOne() throws IOException {
        StreamPipe pipe = new StreamPipe(8);
        pipe.put(new byte[] {1, 2, 3, 4, 5, 6});
        assertThrows(IllegalStateException.class, () -> pipe.put(new byte[3]));
        byte[] got = new byte[8];
        assertEquals(4, pipe.read(got, 0, 4, 1000));
        pipe.put(new byte[] {7, 8, 9, 10, 11, 12}); // wraps: 2 left before the end, 4 at the start
        pipe.finish(null);
        assertEquals(8, pipe.read(got, 0, 8, 1000));
        assertArrayEquals(new byte[] {5, 6, 7, 8, 9, 10, 11, 12}, got);
        assertEquals(-1, pipe.read(got, 0, 8, 1000));
    }
}
