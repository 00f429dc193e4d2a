package pilot.core.handshake;

import java.util.Arrays;
import java.util.LinkedHashMap;

/**
 * The peer X25519 keys that installed a session, per node, kept after the peer's state is forgotten
 * (evicted, dropped). A PILA is not replay-protected, so a key that the peer has since replaced by a
 * newer one can only be an old frame played back: it is refused ({@code STALE_KEY}) and never
 * re-installs a session. A PILA with the latest key may install again (the peer may repeat it when it
 * answers our fresh key), but, being known, never moves the peer's endpoint. Honest peers never go back
 * to a key they replaced (every handshake they start uses a fresh one).
 *
 * <p>Bounded: {@code keysPerNode} keys for at most {@code maxNodes} nodes, least recently used forgotten.
 * Only keys from PILAs whose signature verified are recorded, so an attacker cannot fill it with junk.
 */
final class KeyHistory {
    private final int keysPerNode;
    private final int maxNodes;
    private final LinkedHashMap<Integer, byte[][]> keys = new LinkedHashMap<>(16, 0.75f, true);

    KeyHistory(int keysPerNode, int maxNodes) {
        this.keysPerNode = keysPerNode;
        this.maxNodes = maxNodes;
    }

    boolean contains(int node, byte[] x25519) {
        byte[][] ring = keys.get(node);
        if (ring == null) {
            return false;
        }
        for (byte[] k : ring) {
            if (k != null && Arrays.equals(k, x25519)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A key this node accepted from {@code node} before and that the node has since replaced by a newer
     * one. The latest key is not stale: a peer answering our fresh key may repeat it (spec D.2).
     */
    boolean isReplaced(int node, byte[] x25519) {
        byte[][] ring = keys.get(node);
        return ring != null && contains(node, x25519) && !Arrays.equals(ring[0], x25519);
    }

    /** Records a key that installed a session (oldest of the node's keys replaced when full). */
    void record(int node, byte[] x25519) {
        if (keysPerNode == 0 || contains(node, x25519)) {
            return;
        }
        byte[][] ring = keys.get(node);
        if (ring == null) {
            if (keys.size() >= maxNodes) {
                keys.remove(keys.keySet().iterator().next());
            }
            ring = new byte[keysPerNode][];
            keys.put(node, ring);
        }
        System.arraycopy(ring, 0, ring, 1, ring.length - 1);
        ring[0] = x25519.clone();
    }

    int nodes() {
        return keys.size();
    }
}
