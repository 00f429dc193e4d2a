package pilot.host.registry;

import org.slf4j.Logger;

/**
 * Logs lines about hostile or broken input at most {@code perWindow} times per window; the rest are
 * counted and reported in the next line that gets through, so a client cannot flood the log.
 */
final class LogLimiter {
    private final Logger log;
    private final int perWindow;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int used;
    private long suppressed;

    LogLimiter(Logger log, int perWindow, long windowMillis) {
        this.log = log;
        this.perWindow = perWindow;
        this.windowNanos = windowMillis * 1_000_000L;
    }

    /** A WARN line without a stack trace: the client's mistake, not ours. */
    void warn(String format, Object... args) {
        line(true, format, args);
    }

    /** A DEBUG line (an ordinary refusal), under the same budget. */
    void debug(String format, Object... args) {
        if (log.isDebugEnabled()) {
            line(false, format, args);
        }
    }

    private synchronized void line(boolean warn, String format, Object... args) {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            used = 0;
        }
        if (used >= perWindow) {
            suppressed++;
            return;
        }
        used++;
        if (suppressed > 0) {
            log.warn("({} similar lines suppressed)", suppressed);
            suppressed = 0;
        }
        if (warn) {
            log.warn(format, args);
        } else {
            log.debug(format, args);
        }
    }

    synchronized long suppressed() {
        return suppressed;
    }
}
