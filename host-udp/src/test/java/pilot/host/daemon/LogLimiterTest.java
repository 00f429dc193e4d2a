package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogLimiterTest {
    @Test
    void writesTheFirstLinesOfAnIntervalThenCountsAndReportsTheRest() {
        List<String> out = new ArrayList<>();
        LogLimiter log = new LogLimiter(3, 1000, out::add);
        for (int i = 0; i < 10_000; i++) {
            log.log(0, "line " + i);
        }
        assertEquals(List.of("line 0", "line 1", "line 2"), out);
        assertEquals(9_997, log.suppressed());
        log.log(999, "still the same interval");
        assertEquals(3, out.size());
        log.log(1000, "next interval");
        assertEquals("next interval (9998 similar lines suppressed before this one)", out.get(3));
        assertEquals(0, log.suppressed());
        assertThrows(IllegalArgumentException.class, () -> new LogLimiter(0, 1000, out::add));
    }
}
