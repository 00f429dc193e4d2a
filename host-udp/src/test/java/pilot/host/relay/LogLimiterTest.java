package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A stranger cannot flood the relay's log: a fixed number of lines a minute, the rest counted. */
class LogLimiterTest {
    @Test
    void letsAFixedNumberOfLinesThroughPerMinuteAndCountsTheRest() {
        LogLimiter l = new LogLimiter(3);
        assertEquals(0, l.permit(0));
        assertEquals(0, l.permit(1));
        assertEquals(0, l.permit(2));
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, l.permit(3 + i));
        }
        assertEquals(1000, l.permit(60_000), "the next line reports how many were left out");
        assertEquals(0, l.permit(60_001));
    }
}
