package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.wire.Packet;

/**
 * A dialer ({@link StreamPair#a}) whose only final ACK is lost on the way to the listener ({@link StreamPair#b}),
 * which accepted the stream at the SYN and holds it half-open ({@link StreamTable.Limits#halfOpenMillis}, 5 s).
 * The listener's application is told of the stream at the SYN; a quiet exchange lasting past the half-open
 * timeout must still work: the listener resends its SYN|ACK while half-open, and the dialer's ACK to it
 * completes the stream. Before: the listener forgot the stream at 5 s (its application saw it closed,
 * {@code TIMED_OUT}) and the dialer's first write met an RST ({@code STREAM_RESET}).
 */
class LostFinalAckTest {
    static final long QUIET = StreamTable.Limits.DEFAULTS.halfOpenMillis() + 1_000;

    /** Drops the dialer's final ACK of the handshake, and only that packet. */
    static Predicate<Packet> dropTheDialersFinalAck() {
        boolean[] dropped = {false};
        return p -> {
            boolean finalAck = !dropped[0] && p.src().equals(StreamPair.A) && p.flags() == Packet.ACK
                    && p.payloadLength() == 0;
            dropped[0] |= finalAck;
            return finalAck;
        };
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Opens a stream from a to b with the final ACK lost; returns {dialer's stream, listener's stream}. */
    static int[] openLosingTheFinalAck(StreamPair pair, Predicate<Packet> drop) {
        pair.b.table.listen(StreamPair.PORT);
        int s = pair.a.table.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100, drop);
        assertEquals(java.util.List.of(s), pair.a.opened(), "the dialer is ESTABLISHED by the SYN|ACK");
        assertEquals(1, pair.b.accepted().size(), "the listener's application is told at the SYN");
        return new int[] {s, pair.b.accepted().get(0)};
    }

    static void assertNothingClosed(StreamPair pair) {
        assertEquals(Map.of(), pair.a.closed(), "the dialer's stream lives (before: STREAM_RESET at its first write)");
        assertEquals(Map.of(), pair.b.closed(), "the listener's stream lives (before: TIMED_OUT at 5 s)");
    }

    @Test
    void aClientSpeaksFirstDialerQuietPastTheHalfOpenTimeoutIsHeardNotReset() {
        StreamPair pair = new StreamPair();
        Predicate<Packet> drop = dropTheDialersFinalAck();
        int[] st = openLosingTheFinalAck(pair, drop);
        pair.drive(pair.now + QUIET, drop); // the user types slowly

        assertEquals(5, pair.a.table.write(st[0], text("hello"), 0, 5, pair.now).value());
        pair.drive(pair.now + 1_000, drop);
        assertNothingClosed(pair);
        assertArrayEquals(text("hello"), pair.b.bytesRead(st[1]));
    }

    @Test
    void aServerSpeaksFirstGreetingSentAtOnceIsAcknowledgedAndThatAnswersTheSynAck() {
        StreamPair pair = new StreamPair();
        Predicate<Packet> drop = dropTheDialersFinalAck();
        int[] st = openLosingTheFinalAck(pair, drop);
        pair.b.table.write(st[1], text("220 ready"), 0, 9, pair.now); // told at the SYN, it greets while half-open
        pair.drive(pair.now + QUIET, drop);
        assertArrayEquals(text("220 ready"), pair.a.bytesRead(st[0]));

        pair.a.table.write(st[0], text("QUIT"), 0, 4, pair.now);
        pair.drive(pair.now + 1_000, drop);
        assertArrayEquals(text("QUIT"), pair.b.bytesRead(st[1]));
        assertNothingClosed(pair);
    }

    @Test
    void aServerSpeaksFirstGreetingSentAfterTheHalfOpenTimeoutStillArrives() {
        StreamPair pair = new StreamPair();
        Predicate<Packet> drop = dropTheDialersFinalAck();
        int[] st = openLosingTheFinalAck(pair, drop);
        pair.drive(pair.now + QUIET, drop); // the listener's application prepares its greeting for 6 s
        assertEquals(Map.of(), pair.b.closed(), "the listener's application still has its stream (before: TIMED_OUT)");

        assertTrue(pair.b.table.write(st[1], text("220 ready"), 0, 9, pair.now).isOk(),
                "the listener's stream is still open for writing");
        pair.drive(pair.now + 1_000, drop);
        assertArrayEquals(text("220 ready"), pair.a.bytesRead(st[0]));
        assertNothingClosed(pair);
    }

    @Test
    void theDialersAnswerToTheFirstResentSynAckEndsTheResends() {
        StreamPair pair = new StreamPair();
        Predicate<Packet> drop = dropTheDialersFinalAck();
        openLosingTheFinalAck(pair, drop);
        int sentBefore = pair.b.packetsSent();
        pair.drive(pair.now + QUIET, drop);
        assertEquals(1, pair.b.packetsSent() - sentBefore, "one SYN|ACK again at the SYN RTO; the dialer's ACK ends it");
    }

    @Test
    void aDialerWhoseEveryAckIsLostIsForgottenAtTheHalfOpenTimeout() {
        StreamPair pair = new StreamPair();
        Predicate<Packet> dropAllAcks = p -> p.src().equals(StreamPair.A) && p.flags() == Packet.ACK;
        int[] st = openLosingTheFinalAck(pair, dropAllAcks);
        pair.drive(pair.now + QUIET, dropAllAcks);
        assertEquals(ErrorCode.TIMED_OUT, pair.b.closed().get(st[1]), "the half-open bound still holds");
    }
}
