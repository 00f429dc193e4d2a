package pilot.wasm;

/**
 * Seals whose ciphertext JavaScript keeps (docs/ARCHITECTURE.md "Built: AEAD as an effect", held
 * ciphertexts): from the poll that asked for the seal until the frame it completes leaves through
 * {@code nodePollTransmits}, which then carries the frame's header and the seal's id instead of the
 * ciphertext. So the ciphertext crosses the boundary never instead of twice (answer in, frame out).
 * At most {@link #MAX} at once; a seal asked beyond it is answered with its bytes as before. An entry leaves
 * when its frame leaves, or when the seal is answered without a ciphertext kept (failure, bytes), so the table
 * never holds a frame the outbox no longer has. Identity of the frame arrays, no hashing (none ships in wasm).
 */
final class HeldSeals {
    /** Seals whose ciphertext JavaScript may keep at once (per node); beyond it answers carry the bytes. */
    static final int MAX = 256;

    private final byte[][] frames = new byte[MAX][];
    private final int[] ids = new int[MAX];
    /** Whether the seal was answered "kept" (then only its frame's leaving removes it). */
    private final boolean[] kept = new boolean[MAX];
    private int count;

    /** Registers the seal {@code id} completing {@code frame}; false when the table is full. */
    boolean add(int id, byte[] frame) {
        if (count == MAX) {
            return false;
        }
        frames[count] = frame;
        kept[count] = false;
        ids[count++] = id;
        return true;
    }

    /**
     * The first answer to seal {@code id}: with the ciphertext kept by JavaScript ({@code keptThere}) the entry
     * stays until its frame leaves and the frame is returned; otherwise the entry is forgotten. Null when the
     * seal is not held, or was answered before (a repeated answer must not undo the first).
     */
    byte[] answer(int id, boolean keptThere) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == id && !kept[i]) {
                byte[] frame = frames[i];
                if (keptThere) {
                    kept[i] = true;
                } else {
                    removeAt(i);
                }
                return frame;
            }
        }
        return null;
    }

    /** The id of the seal whose ciphertext completes {@code frame} (forgotten now), or 0 when it is not held. */
    int take(byte[] frame) {
        for (int i = 0; i < count; i++) {
            if (frames[i] == frame && kept[i]) {
                int id = ids[i];
                removeAt(i);
                return id;
            }
        }
        return 0;
    }

    int size() {
        return count;
    }

    /** Zeros standing in for a kept ciphertext in {@code PilotNode.cryptoDone}, which only copies them into the frame. */
    final Zeros blank = new Zeros();

    private void removeAt(int i) {
        count--;
        frames[i] = frames[count];
        ids[i] = ids[count];
        kept[i] = kept[count];
        frames[count] = null;
    }
}
