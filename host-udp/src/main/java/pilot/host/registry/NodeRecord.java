package pilot.host.registry;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node's durable state, as the store and the log keep it. Every log line is a whole record (an
 * upsert), numbered by {@code seq}: replay applies a line only if it is newer than what the snapshot
 * holds, so a crash between writing a snapshot and truncating the log can never roll a node back.
 *
 * @param publicKey canonical base64 of the decoded 32-byte key
 * @param stamp     timestamp of the last signed register accepted for the key (0: none yet)
 * @param removed   a tombstone: the node was reclaimed ({@link RegistryLimits#unprovenNodeTtlMillis}); its id is never reused
 */
record NodeRecord(int nodeId, String publicKey, String realAddr, boolean isPublic, String hostname, long stamp, long seq,
        boolean removed) {

    /** This node's tombstone, numbered {@code seq}. */
    NodeRecord removal(long seq) {
        return new NodeRecord(nodeId, publicKey, realAddr, isPublic, hostname, stamp, seq, true);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node_id", Integer.toUnsignedLong(nodeId));
        m.put("public_key", publicKey);
        m.put("real_addr", realAddr);
        m.put("public", isPublic);
        m.put("hostname", hostname);
        m.put("stamp", stamp);
        m.put("seq", seq);
        if (removed) {
            m.put("removed", true);
        }
        return m;
    }

    /** Parses a stored record; {@code null} if it is not one (the caller names the file and line). */
    static NodeRecord fromJson(Object o) {
        if (!(o instanceof Map<?, ?> m) || !(m.get("node_id") instanceof Long id) || id < 0 || id > 0xFFFFFFFFL
                || !(m.get("public_key") instanceof String key)) {
            return null;
        }
        String canonical = canonicalKey(key);
        if (canonical == null) {
            return null;
        }
        return new NodeRecord((int) (long) id, canonical, m.get("real_addr") instanceof String a ? a : null,
                Boolean.TRUE.equals(m.get("public")), m.get("hostname") instanceof String h ? h : null,
                m.get("stamp") instanceof Long s ? s : 0, m.get("seq") instanceof Long q ? q : 0, Boolean.TRUE.equals(m.get("removed")));
    }

    /** The canonical spelling of a base64 Ed25519 key, or {@code null} unless it decodes to exactly 32 bytes. */
    static String canonicalKey(String base64) {
        byte[] raw = decodeKey(base64);
        return raw == null ? null : Base64.getEncoder().encodeToString(raw);
    }

    /** The 32 bytes of a base64 key (padded or not), or {@code null}. */
    static byte[] decodeKey(String base64) {
        if (base64 == null || base64.length() > 64) {
            return null;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(base64);
            return raw.length == 32 ? raw : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
