package pilot.host.cli;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One line of progress for a long transfer, redrawn in place on a terminal ({@code \r}) at most every
 * {@link #REDRAW_NANOS}, and nothing at all when the output is not a terminal (a script or a pipe gets
 * only the final summary the command prints anyway). Counters may move from two threads (the writer and
 * the reader of a stream); time is the caller's.
 */
final class Progress {
    static final long REDRAW_NANOS = 200_000_000L;
    private static final double MIB = 1024.0 * 1024.0;

    private final boolean enabled;
    private final long total;
    private final Consumer<String> out;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private long start = Long.MIN_VALUE;
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;

    /**
     * @param enabled whether to draw at all (a terminal)
     * @param total   bytes to send, for the percentage
     * @param out     where the text goes (standard error)
     */
    Progress(boolean enabled, long total, Consumer<String> out) {
        this.enabled = enabled;
        this.total = total;
        this.out = out;
    }

    /** For the CLI: draws on standard error when the process runs on a terminal. */
    static Progress onTerminal(long total) {
        return new Progress(System.console() != null, total, s -> {
            System.err.print(s);
            System.err.flush();
        });
    }

    void sent(long bytes, long nowNanos) {
        sent.addAndGet(bytes);
        maybeDraw(nowNanos);
    }

    void received(long bytes, long nowNanos) {
        received.addAndGet(bytes);
        maybeDraw(nowNanos);
    }

    private void maybeDraw(long nowNanos) {
        if (!enabled) {
            return;
        }
        synchronized (this) {
            if (start == Long.MIN_VALUE) {
                start = nowNanos;
            }
            if (lastDraw != Long.MIN_VALUE && nowNanos - lastDraw < REDRAW_NANOS) {
                return;
            }
        }
        draw(nowNanos);
    }

    /** Redraws the line now. */
    synchronized void draw(long nowNanos) {
        if (!enabled) {
            return;
        }
        if (start == Long.MIN_VALUE) {
            start = nowNanos;
        }
        lastDraw = nowNanos;
        long s = sent.get();
        long r = received.get();
        double seconds = Math.max(1e-3, (nowNanos - start) / 1e9);
        out.accept(String.format(Locale.ROOT, "\r  sent %.1f of %.1f MiB (%d%%), received %.1f MiB, %.1f MB/s   ",
                s / MIB, total / MIB, total == 0 ? 100 : (int) (100 * s / total), r / MIB, Math.max(s, r) / seconds / 1e6));
        drawn = true;
    }

    /** The transfer ended: the last figures, and the line ended so the summary starts on its own. */
    synchronized void finish(long nowNanos) {
        if (!enabled) {
            return;
        }
        draw(nowNanos);
        if (drawn) {
            out.accept("\n");
        }
    }
}
