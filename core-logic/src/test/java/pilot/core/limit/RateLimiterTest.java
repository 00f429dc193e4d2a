package pilot.core.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void burstThenSteadyRate() {
        RateLimiter r = new RateLimiter(5, 10, 10_000);
        for (int i = 0; i < 5; i++) {
            assertTrue(r.allow("ip", 0));
        }
        assertFalse(r.allow("ip", 0));
        assertFalse(r.allow("ip", 199));
        assertTrue(r.allow("ip", 200));   // 1 token per 200 ms
        assertFalse(r.allow("ip", 200));
        assertEquals(3, r.refusedCount());
    }

    @Test
    void aClockGoingBackwardsGrantsNothing() {
        RateLimiter r = new RateLimiter(1, 10, 10_000);
        assertTrue(r.allow("ip", 5000));
        assertFalse(r.allow("ip", 0));
        assertFalse(r.allow("ip", 5999));
        assertTrue(r.allow("ip", 6000));
    }

    @Test
    void trackedSourcesStayBounded() {
        RateLimiter r = new RateLimiter(5, 100, 10_000);
        for (int i = 0; i < 10_000; i++) {
            r.allow("src" + i, i / 100);
        }
        assertEquals(100, r.trackedSources());
    }

    @Test
    void idleSourcesArePrunedFirst() {
        RateLimiter r = new RateLimiter(5, 3, 1_000);
        r.allow("a", 0);
        r.allow("b", 0);
        r.allow("c", 900);
        r.allow("d", 1500); // a and b are idle (>= 1 s): both go
        assertEquals(2, r.trackedSources());
    }
}
