package pilot.wasm;

/**
 * Open requests whose frame JavaScript keeps (docs/ARCHITECTURE.md "Built: AEAD as an effect", held frames):
 * the core holds placeholders in place of the ciphertext ({@code PilotNode.handleDatagram} with a host
 * reference), so the ciphertext never crosses into the core. Kept from the poll that wrote the request until its
 * answer, for one case only: a failed answer brings the frame's bytes ({@link CryptoBatch#REFILL}), which are
 * written into the request's placeholders before the node hears of the failure, so that an open the node asks
 * again (under the previous session) carries the real bytes. At most {@link #MAX}; the wrapper keeps at most as
 * many frames, and each makes at most one such request, so the table is never full in use (if it were, a failed
 * answer would simply stay a failure). Identity of arrays and ids, no hashing.
 */
final class HeldOpens {
    /** Open requests on kept frames tracked at once per node (= the wrapper's HELD_FRAMES_MAX, = MAX_CRYPTO_IN_FLIGHT). */
    static final int MAX = 256;

    private final int[] ids = new int[MAX];
    private final byte[][] placeholders = new byte[MAX][];
    private int count;

    /** Tracks open request {@code id}, whose ciphertext ‖ tag are the {@code placeholders}; false when full. */
    boolean add(int id, byte[] placeholders) {
        if (count == MAX) {
            return false;
        }
        ids[count] = id;
        this.placeholders[count++] = placeholders;
        return true;
    }

    /** The placeholders of open request {@code id} (forgotten now: one answer per request), or null when not tracked. */
    byte[] take(int id) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id) {
                byte[] p = placeholders[i];
                count--;
                ids[i] = ids[count];
                placeholders[i] = placeholders[count];
                placeholders[count] = null;
                return p;
            }
        }
        return null;
    }

    int size() {
        return count;
    }
}
