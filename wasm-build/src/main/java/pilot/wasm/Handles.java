package pilot.wasm;

/**
 * Objects handed to JavaScript as small integers (slot + 1); JavaScript frees them explicitly. A plain
 * array with a free list rather than a HashMap: every export looks a handle up, and TeaVM inlines that
 * look-up into each export's wrapper, so it has to be small.
 */
final class Handles {
    private static Object[] slots = new Object[8];
    private static int[] free = new int[8];
    private static int freeCount;
    private static int used;
    private static int live;

    private Handles() {
    }

    static int put(Object o) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == slots.length) {
                Object[] bigger = new Object[used * 2];
                System.arraycopy(slots, 0, bigger, 0, used);
                slots = bigger;
            }
            slot = used++;
        }
        slots[slot] = o;
        live++;
        return slot + 1;
    }

    /** The object, or null; callers check its type with instanceof (no reflection in wasm). */
    static Object get(int h) {
        return h > 0 && h <= used ? slots[h - 1] : null;
    }

    static void free(int h) {
        if (get(h) == null) {
            return;
        }
        slots[h - 1] = null;
        if (freeCount == free.length) {
            int[] bigger = new int[free.length * 2];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        free[freeCount++] = h - 1;
        live--;
    }

    static int count() {
        return live;
    }
}
