package pilot.core.stream;

import pilot.core.addr.Address;
import pilot.core.addr.Ports;

/** Ephemeral port allocation (spec A.2): a cursor over 49152-65535 that wraps and skips ports in use. */
final class EphemeralPorts {
    private static final int COUNT = Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST + 1;
    private int next;

    /** @param first where allocation starts (any int; folded into the range) */
    EphemeralPorts(int first) {
        this.next = Ports.EPHEMERAL_FIRST + Math.floorMod(first, COUNT);
    }

    /**
     * The next port that no stream with ({@code remote}, {@code remotePort}) uses and nothing listens on,
     * advancing past it; -1 after trying all 16,384. (No predicate argument: each lambda is a class in wasm.)
     */
    int allocate(StreamIndex streams, ListeningPorts listening, Address remote, int remotePort) {
        for (int i = 0; i < COUNT; i++) {
            int port = next;
            next = next == Ports.EPHEMERAL_LAST ? Ports.EPHEMERAL_FIRST : next + 1;
            if (streams.byTuple(port, remote, remotePort) == null && !listening.contains(port)) {
                return port;
            }
        }
        return -1;
    }
}
