package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * ACKs coalesced per input ({@link StreamConfig#coalesceAcks}, what a Worker turns on): the ACKs spec G.4
 * sends at once while one input is handled (a relay batch, one answer of WebCrypto opens) leave as one ACK per
 * stream when the owner runs its due timers after that input, at the same instant the individual ACKs would
 * have left; an ACK that reports a hole is still sent at once, so the sender's duplicate ACKs still count.
 */
class CoalescedAckTest {
    static final Address US = new Address(0, 1);
    static final Address PEER = new Address(0, 2);
    static final int PORT = 1000;
    static final int PEER_PORT = 50000;
    static final int SEG = 4096;

    final List<Packet> sent = new ArrayList<>();
    StreamTable table;
    long now = 1_000;
    int peerSeq;

    /** A peer opened a stream to our listening port; its SYN|ACK from us is discarded. */
    void open(StreamConfig cfg) {
        table = new StreamTable(US, cfg.withMss(SEG), StreamTable.Limits.DEFAULTS, 0);
        table.listen(PORT);
        table.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, PEER, US, PEER_PORT, PORT, 0, 0, 64, null), now);
        acks();
        peerSeq = 1;
    }

    void peerSends(int seq, int bytes) {
        table.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, PEER, US, PEER_PORT, PORT, seq, 1, 64,
                new byte[bytes]), now);
    }

    void peerSends(int bytes) {
        peerSends(peerSeq, bytes);
        peerSeq += bytes;
    }

    List<Packet> acks() {
        Outputs.drain(table, new Outputs.Listener() {
            @Override
            public void send(Packet packet) {
                sent.add(packet);
            }
        });
        List<Packet> a = new ArrayList<>(sent);
        sent.clear();
        return a;
    }

    /** What an owner does after each input: runs the timers that are due, then sends what they made. */
    List<Packet> acksAfterStep() {
        if (table.nextDeadline() <= now) {
            table.onTimeout(now);
        }
        return acks();
    }

    @Test
    void offByDefault() {
        assertFalse(StreamConfig.DEFAULTS.coalesceAcks());
        assertTrue(StreamConfig.DEFAULTS.withCoalescedAcks(true).coalesceAcks());
        assertTrue(StreamConfig.DEFAULTS.withCoalescedAcks(true).withMss(2048).withBuffers(8192, 8192)
                .withTimeouts(1, 2, 3).coalesceAcks(), "kept by every with-method");
    }

    @Test
    void withoutItABurstOfSixteenSegmentsInOneInputMakesEightAcks() {
        open(StreamConfig.DEFAULTS);
        for (int i = 0; i < 16; i++) {
            peerSends(SEG);
        }
        assertEquals(8, acks().size(), "spec G.4: one per two full segments, each at once");
    }

    @Test
    void aBurstOfSixteenSegmentsInOneInputIsAcknowledgedOnceAfterTheInput() {
        open(StreamConfig.DEFAULTS.withCoalescedAcks(true));
        for (int i = 0; i < 16; i++) {
            peerSends(SEG);
        }
        assertTrue(acks().isEmpty(), "nothing leaves during the input");
        assertEquals(now, table.nextDeadline(), "the ACK is due at once, not in 40 ms");
        List<Packet> a = acksAfterStep();
        assertEquals(1, a.size(), "one ACK for the whole input");
        assertEquals(1 + 16 * SEG, a.get(0).ack());
        assertTrue(acksAfterStep().isEmpty(), "nothing left owed");
        assertEquals(now + StreamConfig.DEFAULTS.keepaliveMillis(), table.nextDeadline(), "no delayed ACK left armed");
    }

    @Test
    void aLoneFullSegmentStillWaitsForTheDelayedAck() {
        open(StreamConfig.DEFAULTS.withCoalescedAcks(true));
        peerSends(SEG);
        assertTrue(acksAfterStep().isEmpty(), "one full segment: delayed ACK (spec G.4), as without coalescing");
        assertEquals(now + 40, table.nextDeadline());
    }

    @Test
    void theShortTailOfAWriteIsAcknowledgedAfterTheInputNotInFortyMs() {
        open(StreamConfig.DEFAULTS.withCoalescedAcks(true));
        peerSends(SEG);
        peerSends(100);
        List<Packet> a = acksAfterStep();
        assertEquals(1, a.size());
        assertEquals(1 + SEG + 100, a.get(0).ack());
    }

    @Test
    void aHoleIsReportedAtOnceEveryTimeSoDuplicateAcksStillCount() {
        open(StreamConfig.DEFAULTS.withCoalescedAcks(true));
        peerSends(SEG);
        peerSends(SEG);
        int hole = peerSeq;
        for (int i = 1; i <= 3; i++) {
            peerSends(hole + i * SEG, SEG); // the segment at `hole` was lost
        }
        List<Packet> a = acks();
        assertEquals(3, a.size(), "three duplicate ACKs, at once: the sender's fast retransmit needs them");
        for (Packet p : a) {
            assertEquals(hole, p.ack());
        }
    }
}
