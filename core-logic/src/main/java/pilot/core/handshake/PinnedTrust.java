package pilot.core.handshake;

import java.util.HashMap;
import java.util.Map;

/** A {@link TrustSource} backed by an explicit table of pinned keys (the host fills it from files or the registry). */
public final class PinnedTrust implements TrustSource {
    private final Map<Integer, byte[]> keys = new HashMap<>();

    public PinnedTrust pin(int node, byte[] ed25519) {
        if (ed25519 == null || ed25519.length != 32) {
            throw new IllegalArgumentException("Ed25519 key must be 32 bytes");
        }
        keys.put(node, ed25519.clone());
        return this;
    }

    public void unpin(int node) {
        keys.remove(node);
    }

    @Override
    public byte[] ed25519KeyFor(int node) {
        byte[] k = keys.get(node);
        return k == null ? null : k.clone();
    }
}
