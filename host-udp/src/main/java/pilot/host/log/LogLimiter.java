package pilot.host.log;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A budget for log lines that hostile or broken input can cause: the first {@code perInterval} lines of
 * each interval are written, the rest only counted, and the next line written after a suppressed stretch
 * is preceded by how many were left out. An attacker therefore costs at most {@code perInterval + 1}
 * lines per interval. Time is the caller's (milliseconds); thread-safe, since the relay, the registry and
 * the host's look-up thread log from several threads. One class for every server in host-udp.
 */
public final class LogLimiter {
    private final int perInterval;
    private final long intervalMillis;
    private long windowStart = Long.MIN_VALUE;
    private int written;
    private long suppressed;

    /**
     * @param perInterval    lines written per interval at most
     * @param intervalMillis length of the interval
     */
    public LogLimiter(int perInterval, long intervalMillis) {
        if (perInterval < 1 || intervalMillis < 1) {
            throw new IllegalArgumentException("invalid log limit: " + perInterval + " per " + intervalMillis + " ms");
        }
        this.perInterval = perInterval;
        this.intervalMillis = intervalMillis;
    }

    /**
     * Takes a line from the budget: -1 when this line must be left out, otherwise how many lines were left
     * out before it (and are now reported by the caller).
     */
    public synchronized long permit(long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= intervalMillis) {
            windowStart = now;
            written = 0;
        }
        if (written >= perInterval) {
            suppressed++;
            return -1;
        }
        written++;
        long before = suppressed;
        suppressed = 0;
        return before;
    }

    /** Lines counted but not written since the last written line. */
    public synchronized long suppressed() {
        return suppressed;
    }

    /** A WARN line within the budget (no stack trace: hostile input is not our error). */
    public void warn(Logger log, long now, String format, Object... args) {
        line(log, Level.WARN, now, format, args);
    }

    /** An INFO line within the budget. */
    public void info(Logger log, long now, String format, Object... args) {
        line(log, Level.INFO, now, format, args);
    }

    /** A DEBUG line within the budget; costs nothing from it while debug logging is off. */
    public void debug(Logger log, long now, String format, Object... args) {
        line(log, Level.DEBUG, now, format, args);
    }

    private void line(Logger log, Level level, long now, String format, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        long left = permit(now);
        if (left > 0) {
            log.atLevel(level).log("({} similar lines left out before this one)", left);
        }
        if (left >= 0) {
            log.atLevel(level).log(format, args);
        }
    }
}
