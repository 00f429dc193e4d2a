package pilot.host.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Hostile input cannot flood a log: a fixed number of lines per interval, the rest counted and reported. */
class LogLimiterTest {
    @Test
    void letsAFixedNumberOfLinesThroughPerIntervalAndReportsHowManyWereLeftOut() {
        LogLimiter l = new LogLimiter(3, 60_000);
        assertEquals(0, l.permit(0));
        assertEquals(0, l.permit(1));
        assertEquals(0, l.permit(2));
        for (int i = 0; i < 1000; i++) {
            assertEquals(-1, l.permit(3 + i));
        }
        assertEquals(1000, l.suppressed());
        assertEquals(-1, l.permit(59_999), "still the same interval");
        assertEquals(1001, l.permit(60_000), "the next line reports how many were left out");
        assertEquals(0, l.permit(60_001));
        assertEquals(0, l.suppressed());
    }

    @Test
    void aFloodThroughTheLoggerFacadeWritesABoundedNumberOfLines() {
        LogLimiter l = new LogLimiter(3, 10_000);
        var log = LoggerFactory.getLogger(LogLimiterTest.class);
        for (int i = 0; i < 10_000; i++) {
            l.warn(log, 5, "bad input {}", i);
        }
        assertEquals(9_997, l.suppressed());
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThrows(IllegalArgumentException.class, () -> new LogLimiter(0, 1000));
        assertThrows(IllegalArgumentException.class, () -> new LogLimiter(1, 0));
    }
}
