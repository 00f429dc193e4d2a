package pilot.host.daemon;

import java.util.function.Consumer;

/**
 * Rate limit for log lines that hostile input can cause: the first {@code perInterval} lines of each
 * interval are written, the rest only counted, and the next line written after a suppressed stretch
 * says how many were left out. An attacker therefore costs at most {@code perInterval + 1} lines per
 * interval. Time is the caller's (milliseconds); thread-safe, because look-ups log from a side thread.
 */
public final class LogLimiter {
    private final int perInterval;
    private final long intervalMillis;
    private final Consumer<String> sink;
    private long windowStart = Long.MIN_VALUE;
    private int written;
    private long suppressed;

    /**
     * @param perInterval    lines written per interval at most
     * @param intervalMillis length of the interval
     * @param sink           where lines go (a logger's warn or info)
     */
    public LogLimiter(int perInterval, long intervalMillis, Consumer<String> sink) {
        if (perInterval < 1 || intervalMillis < 1 || sink == null) {
            throw new IllegalArgumentException("invalid log limit");
        }
        this.perInterval = perInterval;
        this.intervalMillis = intervalMillis;
        this.sink = sink;
    }

    /** Writes {@code line} if the budget of the current interval allows, else counts it. */
    public synchronized void log(long now, String line) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= intervalMillis) {
            windowStart = now;
            written = 0;
        }
        if (written >= perInterval) {
            suppressed++;
            return;
        }
        written++;
        if (suppressed > 0) {
            sink.accept(line + " (" + suppressed + " similar lines suppressed before this one)");
            suppressed = 0;
        } else {
            sink.accept(line);
        }
    }

    /** Lines counted but not written since the last written line. */
    public synchronized long suppressed() {
        return suppressed;
    }
}
