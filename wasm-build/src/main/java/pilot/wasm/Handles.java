package pilot.wasm;

import java.util.HashMap;
import java.util.Map;

/** Objects handed to JavaScript as small integers; JavaScript frees them explicitly. */
final class Handles {
    private static final Map<Integer, Object> OBJECTS = new HashMap<>();
    private static int next = 1;

    private Handles() {
    }

    static int put(Object o) {
        int h = next++;
        OBJECTS.put(h, o);
        return h;
    }

    /** The object, or null; callers check its type with instanceof (no reflection in wasm). */
    static Object get(int h) {
        return OBJECTS.get(h);
    }

    static void free(int h) {
        OBJECTS.remove(h);
    }

    static int count() {
        return OBJECTS.size();
    }
}
