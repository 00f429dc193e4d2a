package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.wire.Packet;

/** Two connections wired buffer to buffer: whole exchanges, by their bytes, states and events. */
class StreamPairTest {
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes all of {@code data}, driving the pair while the send buffer is full. */
    static void writeAll(StreamPair pair, StreamPair.Side side, int stream, byte[] data, java.util.function.Predicate<Packet> drop) {
        int off = 0;
        for (int stalls = 0; off < data.length; ) {
            int n = side.table.write(stream, data, off, data.length - off, pair.now).value();
            off += n;
            if (n == 0) {
                assertTrue(++stalls < 100_000, "the send buffer never drained");
                pair.drive(pair.now + 1_000, drop);
            }
        }
    }

    @Test
    void bothDirectionsCarryEveryByteInOrderThenBothEndCleanly() {
        StreamPair pair = new StreamPair();
        pair.b.table.listen(StreamPair.PORT);
        int s = pair.a.table.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100);
        assertEquals(java.util.List.of(s), pair.a.opened());
        int t = pair.b.accepted().get(0);

        byte[] up = pattern(300_000, 1);
        byte[] down = pattern(70_001, 2);
        writeAll(pair, pair.a, s, up, p -> false);
        writeAll(pair, pair.b, t, down, p -> false);
        pair.a.table.close(s, pair.now);
        pair.b.table.close(t, pair.now);
        pair.drive(pair.now + 60_000);

        assertArrayEquals(up, pair.b.bytesRead(t));
        assertArrayEquals(down, pair.a.bytesRead(s));
        assertEquals(null, pair.a.closed().get(s), "clean close reports no error");
        assertEquals(null, pair.b.closed().get(t));
        assertEquals(1, pair.a.closedCount().get(s), "closed is told once");
        assertEquals(1, pair.b.closedCount().get(t));
        assertEquals(StreamState.CLOSED, pair.a.table.state(s), "TIME_WAIT ended");
        assertEquals(0, pair.a.table.streamCount());
        assertEquals(0, pair.b.table.streamCount());
    }

    @Test
    void everyByteArrivesOnceAndInOrderWhenEveryFifthPacketIsLost() {
        StreamPair pair = new StreamPair();
        pair.b.table.listen(StreamPair.PORT);
        int[] n = {0};
        java.util.function.Predicate<Packet> lossy = p -> ++n[0] % 5 == 0;
        int s = pair.a.table.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100_000, lossy);
        int t = pair.b.accepted().get(0);
        byte[] up = pattern(100_000, 3);
        writeAll(pair, pair.a, s, up, lossy);
        pair.a.table.close(s, pair.now);
        pair.drive(pair.now + 100_000, lossy);
        pair.b.table.close(t, pair.now);
        pair.drive(pair.now + 600_000, lossy);

        assertArrayEquals(up, pair.b.bytesRead(t));
        assertTrue(pair.b.table.atEof(t));
        assertEquals(null, pair.a.closed().get(s));
        assertEquals(null, pair.b.closed().get(t));
    }

    @Test
    void dialingAPortNobodyListensOnEndsRefused() {
        StreamPair pair = new StreamPair();
        int s = pair.a.table.open(StreamPair.B, 4242, pair.now).value();
        pair.drive(pair.now + 1_000);
        assertEquals(ErrorCode.REFUSED, pair.a.closed().get(s));
        assertEquals(StreamState.CLOSED, pair.a.table.state(s));
    }

    @Test
    void anAbortResetsThePeer() {
        StreamPair pair = new StreamPair();
        pair.b.table.listen(StreamPair.PORT);
        int s = pair.a.table.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100);
        int t = pair.b.accepted().get(0);
        pair.a.table.abort(s, pair.now);
        pair.drive(pair.now + 100);
        assertEquals(ErrorCode.ABORTED, pair.a.closed().get(s));
        assertEquals(ErrorCode.STREAM_RESET, pair.b.closed().get(t));
    }

    @Test
    void anUnansweredDialTimesOutAfterItsSynRetries() {
        StreamPair pair = new StreamPair();
        pair.b.table.listen(StreamPair.PORT);
        int s = pair.a.table.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 600_000, p -> true);
        assertEquals(ErrorCode.TIMED_OUT, pair.a.closed().get(s));
        assertEquals(1 + StreamConfig.DEFAULTS.synRetries(), pair.a.packetsSent(), "one SYN plus each retry");
    }
}
