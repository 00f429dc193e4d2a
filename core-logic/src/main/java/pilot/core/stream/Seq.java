package pilot.core.stream;

/** 32-bit sequence arithmetic with wrap-around (spec G.2): a is after b ⇔ (int)(a − b) > 0. */
public final class Seq {
    private Seq() {
    }

    public static boolean after(int a, int b) {
        return a - b > 0;
    }

    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** a ≥ b in sequence space. */
    public static boolean atOrAfter(int a, int b) {
        return a - b >= 0;
    }

    /** Distance from b forward to a (may be negative when a is before b). */
    public static int diff(int a, int b) {
        return a - b;
    }
}
