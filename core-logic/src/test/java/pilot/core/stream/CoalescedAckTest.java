package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.wire.Packet;

/**
 * ACKs coalesced per input ({@link StreamConfig#coalesceAcks}, what a Worker turns on): the ACKs spec G.4
 * sends at once while one input is handled (a relay batch, one answer of WebCrypto opens) leave as one ACK per
 * stream when the owner runs its due timers after that input, at the same instant the individual ACKs would
 * have left; an ACK that reports a hole is still sent at once, so the sender's duplicate ACKs still count.
 */
class CoalescedAckTest extends AckFixture {
    static final int SEG = 4096;

    @Override
    void open(StreamConfig cfg) {
        super.open(cfg.withMss(SEG));
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
