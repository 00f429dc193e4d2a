package pilot.wasm;

import pilot.core.node.NodeEvent;

/**
 * Datagram events whose payload JavaScript holds (issue 15, the Worker's seal + open, round three): an opened
 * datagram's plaintext came from WebCrypto, so the wrapper keeps it and only the packet's header crosses in
 * ({@link CryptoBatch#PAYLOAD}); the node decodes zeros in the payload's place (the host vouched for the
 * checksum), and the datagram event that answer queued leaves {@code nodePollEvents} as the answer's id
 * instead of its bytes. At most {@link #MAX} per node: an answer beyond it is refused with its batch. An entry
 * leaves when its event is polled, or with the node. Identity of the event objects, no hashing.
 */
final class HeldPayloads {
    /** Datagram events whose payload JavaScript may hold at once (per node; pilot-core.mjs HELD_PAYLOADS_MAX). */
    static final int MAX = 256;

    private final NodeEvent[] events = new NodeEvent[MAX];
    private final int[] ids = new int[MAX];
    private int count;

    int free() {
        return MAX - count;
    }

    int size() {
        return count;
    }

    /** Records that {@code e}'s payload is the plaintext JavaScript holds for answer {@code id}; false when full. */
    boolean add(NodeEvent e, int id) {
        if (count == MAX) {
            return false;
        }
        events[count] = e;
        ids[count++] = id;
        return true;
    }

    /** The answer id whose plaintext holds {@code e}'s payload, forgetting it; 0 when {@code e} is not held. */
    int take(NodeEvent e) {
        for (int i = 0; i < count; i++) {
            if (events[i] == e) {
                int id = ids[i];
                count--;
                events[i] = events[count];
                ids[i] = ids[count];
                events[count] = null;
                return id;
            }
        }
        return 0;
    }
}
