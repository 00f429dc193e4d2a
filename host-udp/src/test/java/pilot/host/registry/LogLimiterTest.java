package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogLimiterTest {
    @Test
    void aFloodOfBadInputWritesABoundedNumberOfLines() {
        LogLimiter limiter = new LogLimiter(LoggerFactory.getLogger(LogLimiterTest.class), 3, 60_000);
        for (int i = 0; i < 1000; i++) {
            limiter.warn("bad input {}", i);
        }
        assertEquals(997, limiter.suppressed(), "3 lines written, the rest counted for the next line that gets through");
    }
}
