package pilot.core.handshake;

import java.util.HashMap;
import java.util.Map;

/**
 * The host's trust source, and behind it the Ed25519 keys a restored snapshot carried (each proven by the
 * handshake that made the restored session). The host's answer wins; the restored keys only fill in for
 * peers the host has not looked up again since the restore. At most one restore's entries are held, and a
 * snapshot holds at most {@link HandshakeLimits#maxPeers()} of them.
 */
final class RestoredPins implements TrustSource {
    private final TrustSource host;
    private final Map<Integer, byte[]> restored = new HashMap<>();

    RestoredPins(TrustSource host) {
        this.host = host;
    }

    void replaceAll(Map<Integer, byte[]> keys) {
        restored.clear();
        restored.putAll(keys);
    }

    @Override
    public byte[] ed25519KeyFor(int node) {
        byte[] k = host.ed25519KeyFor(node);
        if (k != null) {
            return k;
        }
        byte[] r = restored.get(node);
        return r == null ? null : r.clone();
    }
}
