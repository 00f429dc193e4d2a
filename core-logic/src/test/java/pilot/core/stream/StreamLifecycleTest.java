package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * How a stream ends (spec G.6, G.7) at the edges: closing while still dialling, closing twice, aborting a
 * lingering stream, writing after the end, what "settled" means in each state, and a peer that reuses a
 * lingering port tuple. Two tables wired buffer to buffer ({@link StreamPair}).
 */
class StreamLifecycleTest {
    final StreamPair pair = new StreamPair();
    final StreamTable a = pair.a.table;
    final StreamTable b = pair.b.table;
    int s;
    int t;

    void establish() {
        b.listen(StreamPair.PORT);
        s = a.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100);
        t = pair.b.accepted().get(pair.b.accepted().size() - 1);
    }

    /** Both sides close and the FINs are exchanged: both linger in TIME_WAIT. */
    void closeBoth() {
        a.close(s, pair.now);
        b.close(t, pair.now);
        pair.drive(pair.now + 100);
    }

    @Test
    void aCloseWhileDiallingSendsTheFinOnceTheStreamIsEstablished() {
        b.listen(StreamPair.PORT);
        s = a.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        a.close(s, pair.now);
        assertEquals(StreamState.SYN_SENT, a.state(s), "nothing but the SYN has left");
        assertEquals(1, pair.a.packetsSent());
        pair.drive(pair.now + 100);
        t = pair.b.accepted().get(0);
        assertTrue(b.atEof(t), "the peer saw our FIN after the handshake");
        assertEquals(StreamState.FIN_WAIT, a.state(s));
        b.close(t, pair.now);
        pair.drive(pair.now + 100);
        assertNull(pair.a.closed().get(s));
        assertEquals(StreamState.TIME_WAIT, a.state(s));
    }

    @Test
    void closingAgainOrInAnotherModeAfterTheFirstCloseSendsNothing() {
        establish();
        a.close(s, CloseMode.FULL, pair.now);
        pair.drive(pair.now + 100);
        int sent = pair.a.packetsSent();
        a.close(s, CloseMode.FULL, pair.now);
        a.close(s, CloseMode.HALF, pair.now);
        a.close(s, CloseMode.AFTER_REPLY, pair.now);
        a.close(s, pair.now);
        assertEquals(sent, pair.a.packetsSent(), "one FIN, however often close is called");
        assertTrue(a.atEof(s), "a full close ends our reading at once");
    }

    @Test
    void aHalfCloseThroughTheModeCallIsTheSameAsClose() {
        establish();
        a.close(s, CloseMode.HALF, pair.now);
        pair.drive(pair.now + 100);
        assertTrue(b.atEof(t));
        assertEquals(ErrorCode.INVALID_STATE, a.write(s, new byte[1], 0, 1, pair.now).error(), "no writes after our FIN");
    }

    @Test
    void aLingeringStreamRefusesWritesAndIsAbortedWithoutAReset() {
        establish();
        closeBoth();
        assertEquals(StreamState.TIME_WAIT, a.state(s));
        assertTrue(a.settled(), "nothing of ours is on its way in TIME_WAIT");
        assertEquals(ErrorCode.INVALID_STATE, a.write(s, new byte[1], 0, 1, pair.now).error());
        pair.a.wire().clear();
        a.abort(s, pair.now);
        assertTrue(pair.a.wire().isEmpty(), "TIME_WAIT has nothing to reset: the peer is done too");
        assertEquals(StreamState.CLOSED, a.state(s));
        assertEquals(1, pair.a.closedCount().get(s), "the clean close was told once, the abort adds nothing");
        a.abort(s, pair.now);
        assertTrue(pair.a.wire().isEmpty(), "aborting a stream that is gone does nothing");
    }

    @Test
    void settledIsFalseWhileDataOrACloseOfOursIsOnItsWay() {
        b.listen(StreamPair.PORT);
        s = a.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        assertFalse(a.settled(), "SYN_SENT: the SYN is on its way");
        pair.drive(pair.now + 100);
        t = pair.b.accepted().get(0);
        assertTrue(a.settled(), "established and idle");
        a.write(s, new byte[100], 0, 100, pair.now);
        assertFalse(a.settled(), "data not yet acknowledged");
        pair.drive(pair.now + 100);
        assertTrue(a.settled());
        a.close(s, pair.now);
        assertFalse(a.settled(), "FIN_WAIT: our FIN and the peer's are still owed");
        pair.drive(pair.now + 100);
        assertFalse(a.settled(), "the peer's FIN has not come");
        b.close(t, pair.now);
        pair.drive(pair.now + 100);
        assertTrue(a.settled());
    }

    @Test
    void aSynOnALingeringTupleRetiresItAndOpensAFreshStream() {
        establish();
        closeBoth();
        assertEquals(StreamState.TIME_WAIT, b.state(t));
        int port = pair.b.acceptedFrom.get(t);
        b.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, StreamPair.A, StreamPair.B, port, StreamPair.PORT, 0, 0, 64,
                null), pair.now);
        assertEquals(2, pair.b.accepted().size(), "the peer reused the port tuple for a new stream");
        int fresh = pair.b.accepted().get(1);
        assertEquals(StreamState.ESTABLISHED, b.state(fresh));
        assertEquals(StreamState.CLOSED, b.state(t), "the lingering stream is gone");
    }

    @Test
    void dataForNoStreamWithAFinGetsNoReset() {
        a.onPacket(new Packet(Packet.ACK | Packet.FIN, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, 7, 49152, 1, 1, 8,
                new byte[3]), pair.now);
        assertTrue(pair.a.wire().isEmpty(), "a closing peer's last data is not worth a reset");
    }

    @Test
    void synsFromOneSourceBeyondItsRateAreDroppedSilently() {
        b.listen(StreamPair.PORT);
        int perSource = StreamTable.Limits.DEFAULTS.synPerSourcePerSecond();
        for (int i = 0; i < perSource + 3; i++) {
            b.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, StreamPair.A, StreamPair.B, 50000 + i, StreamPair.PORT,
                    0, 0, 64, null), pair.now);
        }
        assertEquals(perSource, b.activeCount());
        assertEquals(3, b.refusedSyns());
        assertEquals(perSource, pair.b.wire().size(), "one SYN|ACK per admitted SYN, nothing for the others");
    }

    @Test
    void failingAPeerResetsOnlyItsStreams() {
        establish();
        Address other = new Address(0, 3);
        a.failPeer(other, ErrorCode.PEER_UNREACHABLE, pair.now);
        assertEquals(StreamState.ESTABLISHED, a.state(s));
        a.failPeer(StreamPair.B, ErrorCode.PEER_UNREACHABLE, pair.now);
        assertEquals(ErrorCode.PEER_UNREACHABLE, pair.a.closed().get(s));
        a.failPeer(StreamPair.B, ErrorCode.PEER_UNREACHABLE, pair.now);
        assertEquals(1, pair.a.closedCount().get(s), "a stream already closed is not failed again");
    }

    @Test
    void aResetStreamWithUnreadDataIsReleasedAtOnce() {
        establish();
        b.write(t, new byte[10], 0, 10, pair.now);
        pair.deliver(pair.b, pair.a, p -> false);
        assertEquals(10, a.readable(s));
        b.abort(t, pair.now);
        pair.deliver(pair.b, pair.a, p -> false);
        assertEquals(ErrorCode.STREAM_RESET, pair.a.closed().get(s));
        assertEquals(0, a.streamCount(), "an abnormal end drops unread data");
    }

    @Test
    void aReceiverThatEmptiesAFullBufferOpensTheWindowAtOnce() {
        establish();
        int size = StreamConfig.DEFAULTS.receiveBufferBytes();
        assertEquals(size, a.write(s, new byte[size], 0, size, pair.now).value());
        for (int i = 0; i < 10_000 && b.readable(t) < size; i++) { // moves packets and timers, but b never reads
            boolean moved = pair.deliver(pair.a, pair.b, p -> false) | pair.deliver(pair.b, pair.a, p -> false);
            if (!moved) {
                pair.now = Math.max(pair.now, Math.min(a.nextDeadline(), b.nextDeadline()));
                a.onTimeout(pair.now);
                b.onTimeout(pair.now);
            }
        }
        assertEquals(size, b.readable(t), "the whole receive buffer is full");
        pair.b.wire().clear();
        b.read(t, 4096, pair.now);
        assertTrue(pair.b.wire().isEmpty(), "one unit freed: the window stays at its minimum, no update yet");
        b.read(t, size, pair.now);
        Packet update = pilot.core.wire.PacketCodec.decode(pair.b.wire().peekLast()).value();
        assertTrue(update.window() > 1, "the window update tells the peer it may send again: " + update.window());
    }
}
