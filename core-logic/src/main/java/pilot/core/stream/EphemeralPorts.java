package pilot.core.stream;

import java.util.function.IntPredicate;
import pilot.core.addr.Ports;

/** Ephemeral port allocation (spec A.2): a cursor over 49152-65535 that wraps and skips ports in use. */
final class EphemeralPorts {
    private static final int COUNT = Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST + 1;
    private int next;

    /** @param first where allocation starts (any int; folded into the range) */
    EphemeralPorts(int first) {
        this.next = Ports.EPHEMERAL_FIRST + Math.floorMod(first, COUNT);
    }

    /** The next port not {@code inUse}, advancing past it; -1 after trying all 16,384. */
    int allocate(IntPredicate inUse) {
        for (int i = 0; i < COUNT; i++) {
            int port = next;
            next = next == Ports.EPHEMERAL_LAST ? Ports.EPHEMERAL_FIRST : next + 1;
            if (!inUse.test(port)) {
                return port;
            }
        }
        return -1;
    }
}
