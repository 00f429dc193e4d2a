package pilot.host.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.json.Json;

/**
 * The peers a host trusts, persisted beside its identity ({@code <identity>.peers.json}, owner-only,
 * written atomically): node id → Ed25519 key, pinned on first use. A later registry answer with a
 * different key for a known node is refused, so a registry that changes its mind cannot silently swap a
 * peer's identity. Thread-safe.
 */
public final class PeerStore {
    private final Path file;
    private final Map<Integer, byte[]> keys = new LinkedHashMap<>();

    private PeerStore(Path file) {
        this.file = file;
    }

    public static Path beside(Path identityFile) {
        return identityFile.resolveSibling(identityFile.getFileName() + ".peers.json");
    }

    @SuppressWarnings("unchecked")
    public static PeerStore load(Path file) throws IOException {
        PeerStore s = new PeerStore(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return s;
        }
        var parsed = Json.parseObject(text);
        if (!parsed.isOk() || !(parsed.value().get("peers") instanceof List<?> list)) {
            throw new IOException(file + ": not a peers file");
        }
        try {
            for (Object o : list) {
                Map<String, Object> m = (Map<String, Object>) o;
                byte[] key = Base64.getDecoder().decode((String) m.get("ed25519_public"));
                if (key.length != 32) {
                    throw new IOException(file + ": a key is not 32 bytes");
                }
                s.keys.put((int) (long) (Long) m.get("node_id"), key);
            }
        } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw new IOException(file + ": malformed peer entry", e);
        }
        return s;
    }

    public synchronized byte[] key(int node) {
        byte[] k = keys.get(node);
        return k == null ? null : k.clone();
    }

    public synchronized Map<Integer, byte[]> all() {
        return new LinkedHashMap<>(keys);
    }

    /**
     * Pins {@code key} for {@code node} unless another key is pinned already.
     *
     * @return false when the node is pinned to a different key (the new one is refused)
     */
    public synchronized boolean pin(int node, byte[] key) throws IOException {
        byte[] old = keys.get(node);
        if (old != null) {
            return java.util.Arrays.equals(old, key);
        }
        keys.put(node, key.clone());
        save();
        return true;
    }

    private void save() throws IOException {
        List<Object> list = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : keys.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node_id", Integer.toUnsignedLong(e.getKey()));
            m.put("ed25519_public", Base64.getEncoder().encodeToString(e.getValue()));
            list.add(m);
        }
        AtomicFiles.write(file, (Json.write(Map.of("peers", list)) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
