package pilot.host.relay;

/**
 * At most {@code perMinute} log lines a minute for events a stranger can cause, so nobody can flood
 * the log; the lines left out are counted and reported by the next line that is let through.
 * Time is the caller's.
 */
final class LogLimiter {
    private final int perMinute;
    private long windowStart = Long.MIN_VALUE;
    private int used;
    private long suppressed;

    LogLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** -1 when this line must be left out; otherwise how many were left out before it. */
    synchronized long permit(long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart >= 60_000) {
            windowStart = now;
            used = 0;
        }
        if (used >= perMinute) {
            suppressed++;
            return -1;
        }
        used++;
        long s = suppressed;
        suppressed = 0;
        return s;
    }
}
