package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.wire.Packet;

/**
 * When our ACKs leave (spec G.4 plus our quick-ACK rules): a peer that batches short writes until
 * everything in flight is acknowledged (Nagle, the Feb-2026 daemon) must not wait out our 40 ms
 * delayed ACK for every segment.
 */
class QuickAckTest extends AckFixture {
    /** A peer opened a stream to our listening port. */
    QuickAckTest() {
        open(StreamConfig.DEFAULTS);
    }

    @Test
    void aFullSegmentAloneWaitsForTheDelayedAck() {
        peerSends(1024);
        assertEquals(0, acks().size(), "one full segment: delayed ACK (spec G.4)");
        assertEquals(now + 40, table.nextDeadline());
    }

    @Test
    void twoFullSegmentsAreAcknowledgedAtOnce() {
        peerSends(1024);
        peerSends(1024);
        List<Packet> a = acks();
        assertEquals(1, a.size());
        assertEquals(1 + 2048, a.get(0).ack());
    }

    @Test
    void aSegmentShorterThanTheLargestSeenEndsAWriteAndIsAcknowledgedAtOnce() {
        peerSends(4096);
        peerSends(4096); // ACKed (2 segments)
        acks();
        peerSends(1000); // the tail of a write: the peer has nothing queued behind it
        List<Packet> a = acks();
        assertEquals(1, a.size(), "a sub-segment tail must not wait 40 ms");
        assertEquals(1 + 4096 + 4096 + 1000, a.get(0).ack());
    }

    @Test
    void aFirstSegmentShorterThanOurMssIsAcknowledgedAtOnce() {
        peerSends(10); // a request shorter than any MSS: the peer waits for this ACK
        assertEquals(1, acks().size());
    }

    @Test
    void onceTheDelayedAckTimerFiredThePeerIsWaitingOnUsAndEachOddSegmentIsAcknowledgedAtOnce() {
        peerSends(1024);
        assertEquals(0, acks().size());
        now += 40;
        table.onTimeout(now);
        assertEquals(1, acks().size(), "delayed ACK after 40 ms");
        // a Nagle sender (one 1,024-byte segment per acknowledgement): without quick ACKs this is
        // one segment per 40 ms, about 25 KB/s
        for (int i = 0; i < 10; i++) {
            now += 1;
            peerSends(1024);
            assertEquals(1, acksAfterStep().size(), "segment " + i + " acknowledged at once (at the end of the owner's step)");
        }
    }

    @Test
    void inQuickModeABurstOfSegmentsIsStillAcknowledgedEveryOtherSegment() {
        peerSends(1024);
        now += 40;
        table.onTimeout(now); // the delayed ACK fired once (the peer paused, or we were descheduled): quick mode
        assertEquals(1, acks().size());
        // the peer now streams: twenty full segments arrive back to back in one batch of the owner's input
        now += 1;
        int acked = 0;
        for (int i = 0; i < 20; i++) {
            peerSends(1024);
            acked += acks().size();
        }
        assertEquals(10, acked, "a streaming peer gets one ACK per two segments (spec G.4), quick mode or not");
        assertTrue(acksAfterStep().isEmpty(), "nothing left owed");
    }

    @Test
    void inQuickModeAnOddSegmentIsAcknowledgedAtTheEndOfTheOwnersStepWithoutWaitingTheDelay() {
        peerSends(1024);
        now += 40;
        table.onTimeout(now);
        acks();
        now += 1;
        peerSends(1024);
        peerSends(1024);
        peerSends(1024); // a Nagle sender's last segment before it waits for our ACK
        assertEquals(1, acks().size(), "the first two: one ACK");
        assertEquals(now, table.nextDeadline(), "the third is owed at once, not in 40 ms");
        List<Packet> a = acksAfterStep();
        assertEquals(1, a.size());
        assertEquals(1 + 4 * 1024, a.get(0).ack());
    }

    @Test
    void aSegmentArrivingLateWhileOurAckWaitsMeansThePeerWaitsOnUs() {
        peerSends(1024);
        now += 40; // its Nagle flush and our delayed ACK race: the segment comes first
        peerSends(1024);
        assertEquals(1, acks().size(), "two segments: ACK");
        now += 1;
        peerSends(1024);
        assertEquals(1, acksAfterStep().size(), "from now on an odd segment is acknowledged at once");
    }
}
