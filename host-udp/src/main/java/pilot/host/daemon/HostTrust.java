package pilot.host.daemon;

import java.util.concurrent.ConcurrentHashMap;
import pilot.core.handshake.TrustSource;

/** Ed25519 keys the host knows: pinned on the command line or looked up in the registry. Thread-safe. */
public final class HostTrust implements TrustSource {
    private final ConcurrentHashMap<Integer, byte[]> keys = new ConcurrentHashMap<>();

    public void pin(int node, byte[] ed25519) {
        if (ed25519 == null || ed25519.length != 32) {
            throw new IllegalArgumentException("Ed25519 key must be 32 bytes");
        }
        keys.put(node, ed25519.clone());
    }

    @Override
    public byte[] ed25519KeyFor(int node) {
        byte[] k = keys.get(node);
        return k == null ? null : k.clone();
    }
}
