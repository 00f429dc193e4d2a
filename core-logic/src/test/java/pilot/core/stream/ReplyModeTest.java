package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.crypto.SeededEntropy;
import pilot.core.wire.Packet;

/**
 * Request/reply streams against a peer that closes and batches like the reference daemons
 * ({@link RefLikeEchoPeer}): every echoed byte comes back with {@link CloseMode#AFTER_REPLY}, a half-close
 * cuts the echo short (why the mode exists), and a peer that closes early fails the stream.
 */
class ReplyModeTest {
    static final Address US = new Address(0, 1);
    static final Address THEM = new Address(0, 2);
    static final long LATENCY = 1;

    private record Wire(long at, boolean toPeer, Packet p) {
    }

    final ArrayDeque<Wire> wire = new ArrayDeque<>();
    final List<Integer> events = new ArrayList<>();
    ErrorCode closeReason;
    boolean closedEvent;
    long now = 1_000;

    final StreamTable us = new StreamTable(US, StreamConfig.DEFAULTS, StreamTable.Limits.DEFAULTS, 0);
    final Outputs.Listener ours = new Outputs.Listener() {
        @Override
        public void send(Packet packet) {
            wire.add(new Wire(now + LATENCY, true, packet));
        }

        @Override
        public void closed(int stream, ErrorCode reason) {
            closedEvent = true;
            closeReason = reason;
        }
    };

    /** Moves packets, runs both ends' timers, the reader and the writer, one millisecond at a time. */
    byte[] exchange(RefLikeEchoPeer peer, byte[] request, CloseMode mode, ReplyPolicy policy, long maxMillis) {
        int id = us.open(THEM, peer.port, now).value();
        Outputs.drain(us, ours);
        if (policy != null) {
            us.expectReply(id, policy, now);
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int written = 0;
        boolean closeCalled = false;
        long end = now + maxMillis;
        while (now < end) {
            now++;
            while (!wire.isEmpty() && wire.peek().at <= now) {
                Wire w = wire.poll();
                if (w.toPeer) {
                    peer.onPacket(w.p, now);
                } else {
                    us.onPacket(w.p, now);
                    Outputs.drain(us, ours);
                }
            }
            peer.step(now);
            for (Packet p : peer.out) {
                wire.add(new Wire(now + LATENCY, false, p));
            }
            peer.out.clear();
            if (us.nextDeadline() <= now) {
                us.onTimeout(now);
                Outputs.drain(us, ours);
            }
            if (us.state(id) != StreamState.SYN_SENT && written < request.length) {
                var r = us.write(id, request, written, Math.min(16 * 1024, request.length - written), now);
                Outputs.drain(us, ours);
                if (r.isOk()) {
                    written += r.value();
                }
            }
            if (written == request.length && !closeCalled && us.state(id) != StreamState.SYN_SENT) {
                us.close(id, mode, now);
                Outputs.drain(us, ours);
                closeCalled = true;
            }
            byte[] b = us.read(id, 1 << 20, now).valueOrNull();
            Outputs.drain(us, ours);
            if (b != null) {
                got.write(b, 0, b.length);
            }
            if (closedEvent && us.readable(id) == 0) {
                break;
            }
        }
        return got.toByteArray();
    }

    static byte[] pattern(int n) {
        return new SeededEntropy(42).bytes(n);
    }

    @Test
    void afterReplyEchoesEveryBytePacedAndQuickly() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 512 * 1024, 4 * 1024);
        us.listen(1); // unrelated: the table works with listeners present
        byte[] data = pattern(1 << 20);
        long t0 = now;
        byte[] back = exchange(peer, data, CloseMode.AFTER_REPLY, ReplyPolicy.echo(), 60_000);
        assertArrayEquals(data, back, "every byte echoed, in order");
        assertTrue(closedEvent);
        assertNull(closeReason, "a clean end in both directions");
        assertFalse(peer.sentRst);
        assertEquals(0, peer.droppedWhileBlocked, "paced: the peer's loop never blocked on a full receive queue");
        assertEquals(0, peer.echoDroppedOnFin, "our FIN came after the whole echo");
        // its per-write Nagle allows one 1,024-byte write per round trip (2 ms): ~2 s for 1 MiB. Without
        // quick ACKs our 40 ms delayed ACK met its 40 ms Nagle flush in the tail: 3.3 s
        assertTrue(now - t0 < 2_500, "1 MiB echoed in " + (now - t0) + " ms of simulated time");
    }

    @Test
    void halfCloseBeforeTheEchoEndsCutsItShortAtAReferencePeer() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 1 << 20, 1024);
        byte[] data = pattern(256 * 1024);
        byte[] back = exchange(peer, data, CloseMode.HALF, null, 60_000);
        assertTrue(back.length < data.length, "the reference closes both directions on our FIN: " + back.length);
        assertTrue(peer.echoDroppedOnFin > 0);
        assertNull(closeReason, "and the stream ends cleanly: nobody can tell from the stream alone");
    }

    @Test
    void aPeerThatClosesBeforeTheWholeEchoFailsTheStream() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 512 * 1024, 4 * 1024);
        peer.finAfter = 100_000;
        byte[] back = exchange(peer, pattern(300_000), CloseMode.AFTER_REPLY, ReplyPolicy.echo(), 60_000);
        assertTrue(closedEvent);
        assertEquals(ErrorCode.REPLY_INCOMPLETE, closeReason, "a short reply is an error, never a clean end");
        assertTrue(back.length <= 100_000);
    }

    @Test
    void aReplyOfKnownLengthEndsTheExchangeWithoutThePeersFin() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 512 * 1024, 4 * 1024);
        byte[] data = pattern(10_000);
        byte[] back = exchange(peer, data, CloseMode.AFTER_REPLY, new ReplyPolicy(4_000, 0, 0), 60_000);
        assertTrue(back.length >= 4_000);
        assertTrue(closedEvent);
        assertNull(closeReason);
    }

    @Test
    void aQuietReplyEndsTheExchange() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 512 * 1024, 4 * 1024);
        byte[] data = pattern(5_000);
        long t0 = now;
        byte[] back = exchange(peer, data, CloseMode.AFTER_REPLY, new ReplyPolicy(ReplyPolicy.UNKNOWN, 0, 300), 60_000);
        assertArrayEquals(data, back);
        assertTrue(closedEvent);
        assertTrue(now - t0 < 2_000);
    }

    @Test
    void aReplyOfKnownLengthThatFallsQuietNeverEndsCleanly() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 512 * 1024, 4 * 1024);
        peer.silentAfter = 10_000;
        byte[] back = exchange(peer, pattern(20_000), CloseMode.AFTER_REPLY, new ReplyPolicy(20_000, 0, 300), 5_000);
        assertEquals(10_000, back.length);
        assertFalse(closedEvent, "still waiting for the rest (the idle timeout decides), not a clean short end");
    }

    @Test
    void fullCloseEndsOurReadingAtOnce() {
        RefLikeEchoPeer peer = new RefLikeEchoPeer(THEM, 7, 1 << 20, 1024);
        byte[] back = exchange(peer, pattern(50_000), CloseMode.FULL, null, 60_000);
        assertTrue(back.length < 50_000);
        assertTrue(closedEvent);
    }
}
