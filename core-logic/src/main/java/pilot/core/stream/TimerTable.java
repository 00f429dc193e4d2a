package pilot.core.stream;

/**
 * Every deadline of one stream in one table (after quinn-proto's timer table): the next wake-up is the
 * minimum, and {@link TimeoutHandler} checks the timers in {@link Timer} order. {@link #NONE} means unset.
 * IDLE and KEEPALIVE restart on every data byte and every packet sent, and count only while the stream is
 * live (ESTABLISHED, CLOSE_WAIT, FIN_WAIT); REPLY_QUIET is derived and refreshed before it is read.
 */
final class TimerTable {
    static final long NONE = Long.MAX_VALUE;

    /** The stream's timers, in the order a timeout checks them. */
    enum Timer {
        /** SYN retransmission while dialling; SYN|ACK again while half-open. */
        SYN,
        /** An accepted stream's SYN|ACK was never answered. */
        HALF_OPEN,
        /** End of the TIME_WAIT linger. */
        TIME_WAIT,
        /** A reply of unknown length fell quiet. */
        REPLY_QUIET,
        /** A delayed ACK is due. */
        DELAYED_ACK,
        /** Retransmission timeout. */
        RTO,
        /** No data either way for the idle timeout. */
        IDLE(true),
        /** Nothing sent for the keepalive interval. */
        KEEPALIVE(true);

        /** Counts only while the stream is live. */
        final boolean whileLive;

        Timer() {
            this(false);
        }

        Timer(boolean whileLive) {
            this.whileLive = whileLive;
        }
    }

    private static final Timer[] TIMERS = Timer.values();
    private final long[] deadlines = new long[TIMERS.length];

    TimerTable() {
        java.util.Arrays.fill(deadlines, NONE);
    }

    void set(Timer t, long deadline) {
        deadlines[t.ordinal()] = deadline;
    }

    void cancel(Timer t) {
        deadlines[t.ordinal()] = NONE;
    }

    void cancelAll() {
        java.util.Arrays.fill(deadlines, NONE);
    }

    long get(Timer t) {
        return deadlines[t.ordinal()];
    }

    boolean isSet(Timer t) {
        return deadlines[t.ordinal()] != NONE;
    }

    boolean expired(Timer t, long now) {
        return deadlines[t.ordinal()] <= now;
    }

    /** The earliest deadline, or {@link #NONE}; the liveness timers count only when {@code live}. */
    long next(boolean live) {
        long d = NONE;
        for (Timer t : TIMERS) {
            if (live || !t.whileLive) {
                d = Math.min(d, deadlines[t.ordinal()]);
            }
        }
        return d;
    }
}
