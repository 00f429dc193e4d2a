package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DialInPolicy} with time as an argument: backoff, wake on traffic, TTL, queue bounds, which URLs. */
class DialInPolicyTest {
    static final RelayLimits.DialIn L = RelayLimits.DialIn.DEFAULTS;

    /** A policy that dialled at 0 and connected. */
    static DialInPolicy connected() {
        DialInPolicy p = new DialInPolicy(L, 0);
        assertTrue(p.dialDue(0), "the first dial goes at once");
        p.dialStarted(0);
        assertFalse(p.dialDue(0), "one dial in flight at a time");
        p.connected(100);
        return p;
    }

    @Test
    void theFirstDialFailingForgetsTheDialIn() {
        DialInPolicy p = new DialInPolicy(L, 0);
        p.dialStarted(0);
        assertFalse(p.lost(50), "nothing is parked for a Worker never reached at its URL");
    }

    @Test
    void redialsBackOffFromOneSecondDoublingToSixtySeconds() {
        DialInPolicy p = connected();
        assertFalse(p.dialDue(5_000), "connected: no dial");
        long now = 10_000;
        assertTrue(p.lost(now));
        assertEquals(DialInPolicy.Phase.PARKED, p.phase());
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            long at = p.nextDialAt();
            assertFalse(p.dialDue(at - 1));
            assertTrue(p.dialDue(at));
            delays.add(at - now); // measured from the loss
            p.dialStarted(at);
            now = at + 10;
            assertTrue(p.lost(now), "a failed redial parks again");
        }
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L), delays);
        p.dialStarted(p.nextDialAt());
        p.connected(p.nextDialAt() + 5);
        assertTrue(p.lost(500_000));
        assertEquals(501_000, p.nextDialAt(), "a success starts the backoff over");
    }

    @Test
    void aFrameForTheParkedEndpointWakesADialButAtMostOneASecond() {
        DialInPolicy p = connected();
        p.lost(1_000);
        p.dialStarted(2_000);
        p.lost(2_100); // next in 2 s
        p.offer(new byte[10], 2_200);
        assertFalse(p.dialDue(2_200), "within DIAL_IN_MIN_REDIAL_MS of the last dial");
        assertTrue(p.dialDue(3_000), "woken: due 1 s after the last dial began, not at 4.1 s");
        p.dialStarted(3_000);
        p.offer(new byte[10], 3_100);
        assertFalse(p.dialDue(3_100), "a dial is in flight");
    }

    @Test
    void onceFailedRedialsBackedOffToTheCapTrafficNoLongerWakesADialEverySecond() {
        // a Worker that refuses every dial (a rotated relay key, an identity that is gone) and a stranger who
        // sends one PILA a second to its parked endpoint: before, the relay dialled, and woke, it once a second
        // for the park TTL (24 h: 86,400 dials); now once per backoff (60 s), as without traffic
        DialInPolicy p = connected();
        p.lost(1_000);
        long t = 0;
        for (int i = 0; i < 7; i++) { // redials after 1, 2, 4, 8, 16, 32, 60 s, each refused
            t = p.nextDialAt();
            assertTrue(p.dialDue(t));
            p.dialStarted(t);
            p.lost(t + 10);
        }
        long next = p.nextDialAt();
        assertEquals(t + 10 + L.maxBackoffMillis(), next, "backed off to the cap");
        for (long now = t + 1_000; now < next; now += 1_000) {
            p.offer(new byte[10], now);
            assertFalse(p.dialDue(now), "woken by a frame at " + (now - t) + " ms");
        }
        assertTrue(p.dialDue(next));
        p.dialStarted(next);
        p.connected(next + 10); // it came back: traffic wakes dials at once again after the next loss
        p.lost(next + 20);
        p.dialStarted(next + 1_020);
        p.lost(next + 1_030);
        p.offer(new byte[10], next + 2_100);
        assertTrue(p.dialDue(next + 2_100));
    }

    @Test
    void theQueueHoldsSixtyFourFramesDroppingTheOldest() {
        DialInPolicy p = connected();
        p.lost(0);
        for (int i = 0; i < 64; i++) {
            assertEquals(0, p.offer(new byte[] {(byte) i}, 1));
        }
        assertEquals(1, p.offer(new byte[] {64}, 1), "the 65th drops one");
        assertEquals(1, p.droppedFrames());
        List<byte[]> held = p.drain();
        assertEquals(64, held.size());
        assertEquals(1, held.get(0)[0], "the oldest went");
        assertEquals(64, held.get(63)[0]);
        assertEquals(0, p.queuedFrames());
        assertEquals(0, p.queuedBytes());
    }

    @Test
    void theQueueHoldsAtMost256KiB() {
        DialInPolicy p = connected();
        p.lost(0);
        int big = 65_000;
        for (int i = 0; i < 4; i++) {
            assertEquals(0, p.offer(new byte[big], 1));
        }
        assertEquals(1, p.offer(new byte[big], 1), "a fifth 65 000-byte frame passes 262 144 bytes: the oldest goes");
        assertEquals(4 * big, p.queuedBytes());
        assertTrue(p.queuedBytes() <= RelayLimits.DIAL_IN_QUEUE_BYTES);
        assertEquals(1, p.offer(new byte[RelayLimits.DIAL_IN_QUEUE_BYTES + 1], 1), "larger than the queue: dropped itself");
        assertEquals(4, p.queuedFrames());
    }

    @Test
    void parkedLongerThanTheTtlIsForgotten() {
        DialInPolicy p = connected();
        p.lost(1_000);
        assertFalse(p.expired(1_000 + RelayLimits.DIAL_IN_PARK_TTL_MS));
        assertTrue(p.expired(1_001 + RelayLimits.DIAL_IN_PARK_TTL_MS));
        p.dialStarted(2_000);
        p.connected(2_100);
        assertFalse(p.expired(10 * RelayLimits.DIAL_IN_PARK_TTL_MS), "connected never expires");
    }

    @Test
    void onlyHttpUrlsUnderAnAllowedPrefixAreDialled() {
        List<String> allow = List.of("https://pilot.example.workers.dev/agents/", "http://127.0.0.1:8788/in/");
        assertEquals("wss://pilot.example.workers.dev/agents/a1/relay?x=1",
                DialInPolicy.dialUri("https://pilot.example.workers.dev/agents/a1/relay?x=1", allow).toString());
        assertEquals("ws://127.0.0.1:8788/in/w", DialInPolicy.dialUri("http://127.0.0.1:8788/in/w", allow).toString());
        assertNull(DialInPolicy.dialUri("https://pilot.example.workers.dev/other", allow));
        assertNull(DialInPolicy.dialUri("https://pilot.example.workers.dev.evil.com/agents/", allow));
        assertNull(DialInPolicy.dialUri("http://127.0.0.1:8788/in/#frag", allow));
        assertNull(DialInPolicy.dialUri("http://127.0.0.1:8788/in/ space", allow));
        assertNull(DialInPolicy.dialUri("https://pilot.example.workers.dev/agents/" + "a".repeat(RelayLimits.MAX_DIAL_IN_URL), allow));
        assertNull(DialInPolicy.dialUri(null, allow));
        assertNull(DialInPolicy.dialUri("https://pilot.example.workers.dev/agents/", List.of()), "no prefixes: nothing");
    }

    @Test
    void aPrefixMustFixTheHostAndPort() {
        assertTrue(DialInPolicy.validPrefix("https://pilot.example.workers.dev/"));
        assertTrue(DialInPolicy.validPrefix("http://127.0.0.1:8788/agents/"));
        assertFalse(DialInPolicy.validPrefix("https://pilot.example.workers.dev"), "no path: .dev.evil.com would match");
        assertFalse(DialInPolicy.validPrefix("https://user@pilot.example.workers.dev/"));
        assertFalse(DialInPolicy.validPrefix("ftp://pilot.example/"));
        assertFalse(DialInPolicy.validPrefix("pilot.example.workers.dev/"));
    }
}
