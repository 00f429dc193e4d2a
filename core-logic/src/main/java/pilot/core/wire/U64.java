package pilot.core.wire;

/**
 * Unsigned 64-bit decimal text (how the vectors and the wasm boundary carry counters). Written here
 * because TeaVM's class library lacks {@code Long.parseUnsignedLong}.
 */
public final class U64 {
    private static final long MAX_DIV_10 = Long.divideUnsigned(-1L, 10);

    private U64() {
    }

    /** The value of 1-20 decimal digits up to 2^64-1, or {@code null} for anything else. */
    public static Long parse(String s) {
        if (s == null || s.isEmpty() || s.length() > 20) {
            return null;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9 || Long.compareUnsigned(v, MAX_DIV_10) > 0) {
                return null;
            }
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) {
                return null; // overflow past 2^64-1
            }
            v = next;
        }
        return v;
    }

    public static String format(long v) {
        return Long.toUnsignedString(v);
    }
}
