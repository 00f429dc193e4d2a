package pilot.core.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Key-exchange admission: per (endpoint, node), per endpoint, newcomers and global, with the caller's clock. */
class KxLimiterTest {
    final KxLimiter limiter = new KxLimiter(HandshakeLimits.DEFAULTS);

    int admitted(String endpoint, int node, int tries, long now) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += limiter.allow(endpoint, node, now) ? 1 : 0;
        }
        return n;
    }

    @Test
    void oneWorkerBehindARelayCannotStarveAnotherOnTheSameIp() {
        // the relay's IP, one port per Worker: the flooding Worker spends only its own budget
        assertEquals(5, admitted("192.0.2.1:40001", 7, 1000, 0));
        assertEquals(5, admitted("192.0.2.1:40002", 8, 5, 0), "the other Worker's handshake passes");
        // a second later, the flood is back to 5/s and the honest Worker still gets through
        assertEquals(5, admitted("192.0.2.1:40001", 7, 1000, 1000));
        assertTrue(limiter.allow("192.0.2.1:40002", 8, 1000));
    }

    @Test
    void oneEndpointClaimingManyNodeIdsIsCappedAsAWhole() {
        int n = 0;
        for (int node = 1; node <= 1000; node++) {
            n += admitted("192.0.2.1:40001", node, 5, 0);
        }
        assertEquals(HandshakeLimits.DEFAULTS.kxPerEndpointPerSecond(), n);
        assertTrue(limiter.allow("192.0.2.1:40002", 1, 0), "another endpoint is unaffected");
    }

    @Test
    void cyclingSourcesGetsNoFreshBudgetAndTheGlobalCapHolds() {
        // 10,000 sources a second (more than the 4,096 tracked, so every one is new or evicted), for 10 s
        int total = 0;
        int maxInOneSecond = 0;
        for (int second = 0; second < 10; second++) {
            int thisSecond = 0;
            for (int i = 0; i < 10_000; i++) {
                long now = second * 1000L + i / 10;
                String ep = "198.51.100." + (i % 250) + ":" + (1024 + (second * 10_000 + i) % 60_000);
                thisSecond += admitted(ep, second * 10_000 + i, 3, now); // never the same pair twice
            }
            total += thisSecond;
            maxInOneSecond = Math.max(maxInOneSecond, thisSecond);
        }
        // only the shared newcomer budget (20/s, burst 20) admits untracked pairs, each then at most its
        // 3 frames here; and the global cap (100/s, burst 100) holds whatever the sources
        HandshakeLimits d = HandshakeLimits.DEFAULTS;
        assertTrue(total <= (d.kxNewPerSecond() + 10 * d.kxNewPerSecond()) * 3, "total: " + total);
        assertTrue(maxInOneSecond <= 2 * d.kxGlobalPerSecond(), "per second: " + maxInOneSecond);
    }

    @Test
    void evictionHandsOutNoFreshBudget() {
        HandshakeLimits tiny = HandshakeLimits.DEFAULTS.withRate(5, 2).withBudgets(10, 3, 100);
        KxLimiter l = new KxLimiter(tiny);
        int n = 0;
        for (int round = 0; round < 100; round++) { // three sources through a table of two: always evicting
            for (int s = 0; s < 3; s++) {
                n += l.allow("203.0.113.1:" + (1000 + s), 5, 0) ? 1 : 0;
            }
        }
        assertTrue(n <= 3 + 2 * 5, "only newcomer tokens re-admit evicted sources: " + n);
        assertTrue(l.trackedSources() <= 2);
    }

    @Test
    void theGlobalCapBoundsVerifiesEvenFromTrackedSources() {
        HandshakeLimits l = HandshakeLimits.DEFAULTS.withBudgets(10, 1000, 100);
        KxLimiter k = new KxLimiter(l);
        int n = 0;
        for (int s = 0; s < 500; s++) {
            n += k.allow("203.0.113.2:" + (1000 + s), 9, 0) ? 1 : 0;
        }
        assertEquals(100, n, "100 per second node-wide");
    }

    @Test
    void refusedFramesSpendNothing() {
        HandshakeLimits l = HandshakeLimits.DEFAULTS.withBudgets(10, 20, 6);
        KxLimiter k = new KxLimiter(l);
        int first = 0;
        for (int i = 0; i < 1000; i++) {
            first += k.allow("203.0.113.3:1", 1, 0) ? 1 : 0;
        }
        assertEquals(5, first); // pair exhausted: 995 refused
        assertTrue(k.allow("203.0.113.4:1", 2, 0), "refused frames took no global tokens");
        assertFalse(k.allow("203.0.113.5:1", 3, 0), "the sixth this second meets the global cap");
        assertTrue(k.refusedCount() >= 996);
    }

    @Test
    void reHandshakesWeStartOnUnauthenticatedEvidenceShareTheGlobalCap() {
        KxLimiter k = new KxLimiter(HandshakeLimits.DEFAULTS.withBudgets(10, 20, 3));
        assertTrue(k.allowGlobal(0));
        assertTrue(k.allowGlobal(0));
        assertTrue(k.allow("203.0.113.6:1", 1, 0));
        assertFalse(k.allowGlobal(0), "three per second node-wide, whoever spends them");
        assertFalse(k.allow("203.0.113.7:1", 2, 0));
        assertTrue(k.allowGlobal(400), "refilled");
    }
}
