package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Ports;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** The stream table's API edges: misuse returns a typed error and sends nothing; bounds refuse with RST. */
class StreamTableTest {
    final StreamPair pair = new StreamPair();
    final StreamTable a = pair.a.table;

    Packet lastSent(StreamPair.Side side) {
        byte[] last = null;
        for (byte[] b : side.wire()) {
            last = b;
        }
        return last == null ? null : PacketCodec.decode(last).value();
    }

    @Test
    void listeningNeedsAValidFreePort() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.listen(0).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.listen(65536).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.listen(Ports.PING).error(), "port 0 is the control protocol's");
        assertTrue(a.listen(80).isOk());
        assertEquals(ErrorCode.INVALID_STATE, a.listen(80).error());
        a.unlisten(80);
        assertFalse(a.isListening(80));
        assertTrue(a.listen(80).isOk());
    }

    @Test
    void callsOnAnUnknownStreamFailOrDoNothing() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(99, new byte[1], 0, 1, pair.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.read(99, 10, pair.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.expectReply(99, ReplyPolicy.echo(), pair.now).error());
        assertTrue(a.atEof(99));
        assertEquals(0, a.readable(99));
        assertEquals(StreamState.CLOSED, a.state(99));
        a.close(99, pair.now);
        a.close(99, CloseMode.FULL, pair.now);
        a.abort(99, pair.now);
        assertTrue(pair.a.wire().isEmpty(), "nothing sent");
    }

    @Test
    void badBufferBoundsAndWritesAfterCloseAreRefused() {
        pair.b.table.listen(StreamPair.PORT);
        int s = a.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.expectReply(s, null, pair.now).error());
        pair.drive(pair.now + 100);
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, new byte[4], -1, 2, pair.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, new byte[4], 3, 2, pair.now).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, a.write(s, new byte[4], 0, -1, pair.now).error());
        a.close(s, pair.now);
        assertEquals(ErrorCode.INVALID_STATE, a.write(s, new byte[4], 0, 4, pair.now).error());
    }

    @Test
    void openChecksThePortAndTheStreamBound() {
        StreamPair small = new StreamPair();
        StreamTable t = new StreamPair.Side(StreamPair.A, StreamConfig.DEFAULTS, new StreamTable.Limits(1, 1, 100, 10, 16), 0).table;
        assertEquals(ErrorCode.INVALID_ARGUMENT, t.open(StreamPair.B, 65536, small.now).error());
        assertTrue(t.open(StreamPair.B, 80, small.now).isOk());
        assertEquals(ErrorCode.LIMIT_REACHED, t.open(StreamPair.B, 81, small.now).error());
        assertEquals(1, t.activeCount());
        assertFalse(t.settled(), "a SYN is on its way");
    }

    @Test
    void aSecondStreamBeyondThePortBoundIsRefusedWithRst() {
        StreamPair p = new StreamPair();
        StreamPair.Side side = new StreamPair.Side(StreamPair.B, StreamConfig.DEFAULTS, new StreamTable.Limits(8, 1, 100, 10, 16), 0);
        StreamTable b = side.table;
        b.listen(StreamPair.PORT);
        b.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, StreamPair.A, StreamPair.B, 50000, StreamPair.PORT, 0, 0, 8, null), p.now);
        b.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, StreamPair.A, StreamPair.B, 50001, StreamPair.PORT, 0, 0, 8, null), p.now);
        assertEquals(1, b.activeCount());
        assertEquals(1, b.refusedSyns());
        Packet rst = lastSent(side);
        assertTrue(rst.has(Packet.RST));
        assertEquals(50001, rst.dstPort());
    }

    @Test
    void packetsForNoStreamGetRstOnlyWhenTheyCarryData() {
        Packet data = new Packet(Packet.ACK, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, 7, 49152, 1, 1, 8, new byte[3]);
        a.onPacket(data, pair.now);
        assertTrue(lastSent(pair.a).has(Packet.RST), "data for no stream is reset");
        pair.a.wire().clear();
        a.onPacket(new Packet(Packet.FIN, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, 7, 49152, 1, 0, 0, null), pair.now);
        a.onPacket(new Packet(Packet.RST, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, 7, 49152, 0, 0, 0, null), pair.now);
        a.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, 7, 49152, 1, 1, 8, null), pair.now);
        assertTrue(pair.a.wire().isEmpty(), "a FIN, RST or pure ACK for no stream is ignored (no RST storms)");
    }

    @Test
    void flushAcksSendsAPendingDelayedAckOnce() {
        pair.b.table.listen(StreamPair.PORT);
        int s = a.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        pair.drive(pair.now + 100);
        a.write(s, new byte[1024], 0, 1024, pair.now);
        pair.deliver(pair.a, pair.b, x -> false);
        assertTrue(pair.b.wire().isEmpty(), "one full segment: the ACK is delayed");
        assertFalse(pair.b.table.settled(), "an ACK is owed");
        pair.b.table.flushAcks(pair.now);
        pair.b.table.flushAcks(pair.now);
        assertEquals(1, pair.b.wire().size());
        assertTrue(pair.b.table.settled());
    }

    @Test
    void invalidConfigurationsAreRejected() {
        StreamConfig d = StreamConfig.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> d.withBuffers(d.mss() - 1, d.receiveBufferBytes()));
        assertThrows(IllegalArgumentException.class, () -> d.withBuffers(d.sendBufferBytes(), d.windowUnit() - 1));
        assertThrows(IllegalArgumentException.class, () -> cfg(0, 4096, 128, 10, 8, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(65536, 65536, 128, 10, 8, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 512, 128, 10, 8, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 0, 10, 8, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 0, 8, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 10, 0, 6, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 10, 8, -1, 2, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 10, 8, 6, 0, 200, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 10, 8, 6, 2, 0, 10_000));
        assertThrows(IllegalArgumentException.class, () -> cfg(1024, 4096, 128, 10, 8, 6, 2, 200, 100));
        assertEquals(d, cfg(1024, 4096, 128, 10, 8, 6, 2, 200, 10_000), "the helper reproduces the defaults");
    }

    static StreamConfig cfg(int mss, int windowUnit, int maxOoo, int initialCwnd, int maxAttempts, int synRetries,
                            int ackEvery, long minRto, long maxRto) {
        StreamConfig d = StreamConfig.DEFAULTS;
        return new StreamConfig(mss, windowUnit, d.sendBufferBytes(), Math.max(d.receiveBufferBytes(), windowUnit), maxOoo,
                initialCwnd, d.maxCwndBytes(), d.initialRtoMillis(), minRto, maxRto, d.clockGranularityMillis(), maxAttempts,
                d.synRtoMillis(), d.synMaxRtoMillis(), synRetries, d.delayedAckMillis(), ackEvery, d.keepaliveMillis(),
                d.idleTimeoutMillis(), d.timeWaitMillis());
    }

    @Test
    void outputWaitsInTheOrderItAroseUntilTheOwnerPollsIt() {
        StreamTable t = new StreamTable(StreamPair.A, StreamConfig.DEFAULTS, StreamTable.Limits.DEFAULTS, 0);
        int s = t.open(StreamPair.B, StreamPair.PORT, pair.now).value();
        t.write(s, new byte[3], 0, 3, pair.now);
        StreamOutput.Send syn = (StreamOutput.Send) t.poll();
        assertTrue(syn.packet().has(Packet.SYN), "the SYN; the data waits for the handshake");
        assertNull(t.poll());
        t.onPacket(new Packet(Packet.SYN | Packet.ACK, Packet.PROTO_STREAM, StreamPair.B, StreamPair.A, StreamPair.PORT,
                syn.packet().srcPort(), 0, 1, 64, null), pair.now);
        StreamOutput ack = t.poll();
        assertEquals(new StreamOutput.Opened(s), t.poll(), "the entry action: ACK, then the application is told");
        StreamOutput data = t.poll();
        assertNull(t.poll());
        assertEquals(0, ((StreamOutput.Send) ack).packet().payloadLength());
        assertEquals(3, ((StreamOutput.Send) data).packet().payloadLength(), "then the data that waited");
    }
}
