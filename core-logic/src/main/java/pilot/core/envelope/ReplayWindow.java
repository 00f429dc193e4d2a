package pilot.core.envelope;

import pilot.core.ErrorCode;

/**
 * The 256-counter anti-replay window of spec F, one per peer key state. Counters are unsigned 64-bit.
 * {@link #check} is read-only; {@link #commit} records a counter and must run only after the frame
 * authenticated ("modern-fixed" order, spec F.4), so a forged frame can never move the window.
 * Single-threaded; never allocates after construction.
 */
public final class ReplayWindow {
    public static final int SIZE = 256;
    private final long[] bits = new long[SIZE / 64];
    /** Highest accepted counter; 0 means nothing received yet (spec F.1). */
    private long max;

    /** The verdict of spec F.2: {@code null} to accept, else {@link ErrorCode#REPLAY} or {@link ErrorCode#TOO_OLD}. */
    public ErrorCode check(long counter) {
        if (max == 0 || Long.compareUnsigned(counter, max) > 0) {
            return null;
        }
        if (Long.compareUnsigned(max - counter, SIZE) >= 0) {
            return ErrorCode.TOO_OLD;
        }
        return isSet(counter) ? ErrorCode.REPLAY : null;
    }

    /** Records an accepted counter (spec F.3). Call only after {@link #check} returned {@code null}. */
    public void commit(long counter) {
        if (max == 0) {
            max = counter;
            set(counter);
            return;
        }
        if (Long.compareUnsigned(counter, max) > 0) {
            long shift = counter - max;
            if (Long.compareUnsigned(shift, SIZE) >= 0) {
                java.util.Arrays.fill(bits, 0L);
            } else {
                for (long c = counter; c != max; c--) {
                    clear(c);
                }
            }
            max = counter;
        }
        set(counter);
    }

    /**
     * Forgets one counter's bit. The node never calls this; it exists so tests can reproduce the
     * Feb-2026 reference order (commit first, clear the bit on AEAD failure) from the vectors.
     */
    public void clear(long counter) {
        int pos = (int) (counter & (SIZE - 1));
        bits[pos >>> 6] &= ~(1L << (pos & 63));
    }

    /**
     * After a restore: {@code highWater} becomes the highest accepted counter and every counter at or below
     * it is refused ({@link ErrorCode#REPLAY} within the window, {@link ErrorCode#TOO_OLD} below it), since
     * the lost instance may have accepted any of them.
     */
    public void refuseUpTo(long highWater) {
        max = highWater;
        java.util.Arrays.fill(bits, highWater == 0 ? 0L : -1L);
    }

    /** Highest accepted counter (0 before the first). */
    public long max() {
        return max;
    }

    private boolean isSet(long counter) {
        int pos = (int) (counter & (SIZE - 1));
        return (bits[pos >>> 6] & (1L << (pos & 63))) != 0;
    }

    private void set(long counter) {
        int pos = (int) (counter & (SIZE - 1));
        bits[pos >>> 6] |= 1L << (pos & 63);
    }
}
