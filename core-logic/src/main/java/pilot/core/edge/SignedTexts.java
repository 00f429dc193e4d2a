package pilot.core.edge;

/**
 * Every text an identity signs with its Ed25519 key outside the tunnel, in one place: the relay login and
 * dial-in proofs, and the registry requests (spec I.1, with our stamped extensions, docs/SPEC-NOTES.md).
 * The signature covers the ASCII bytes of the text ({@link #ascii}). Node ids are written as unsigned
 * decimals, timestamps as decimal Unix milliseconds, keys as canonical (padded, standard-alphabet) base64.
 * The TypeScript copy (worker-shim/src/edge.ts) is checked against test-vectors/generated/edge.json.
 */
public final class SignedTexts {
    private SignedTexts() {
    }

    /** Relay login: {@code pilot_relay_auth:<nonce hex>:<public key base64>}. */
    public static String relayAuth(String nonceHex, String publicKeyBase64) {
        return "pilot_relay_auth:" + nonceHex + ":" + publicKeyBase64;
    }

    /** Relay dial-in proof: {@code pilot_relay_dial:<nonce hex>:<Worker public key base64>}. */
    public static String relayDial(String nonceHex, String workerKeyBase64) {
        return "pilot_relay_dial:" + nonceHex + ":" + workerKeyBase64;
    }

    /**
     * Signed register (our extension): {@code register:<public key base64>:<listen_addr>:<timestamp>}. The
     * registry takes the timestamp only near its clock and above the last one it accepted for the key.
     */
    public static String register(String publicKeyBase64, String listenAddr, long timestampMillis) {
        return "register:" + publicKeyBase64 + ":" + listenAddr + ":" + timestampMillis;
    }

    /** Reference set_visibility (spec I.1): {@code set_visibility:<node id>}; covers neither value nor time. */
    public static String setVisibility(int nodeId) {
        return "set_visibility:" + unsigned(nodeId);
    }

    /** Stamped set_visibility (SPEC-NOTES #36): {@code set_visibility:<node id>:<true|false>:<timestamp>}. */
    public static String setVisibilityStamped(int nodeId, boolean isPublic, long timestampMillis) {
        return "set_visibility:" + unsigned(nodeId) + ":" + isPublic + ":" + timestampMillis;
    }

    /** Heartbeat (spec I.1): {@code heartbeat:<node id>}. */
    public static String heartbeat(int nodeId) {
        return "heartbeat:" + unsigned(nodeId);
    }

    /** Resolve (spec I.1): {@code resolve:<requester id>:<target id>}, signed by the requester. */
    public static String resolve(int requesterId, int targetId) {
        return "resolve:" + unsigned(requesterId) + ":" + unsigned(targetId);
    }

    /** The bytes that are signed: one byte per character, anything outside ASCII as '?'. */
    public static byte[] ascii(String text) {
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            out[i] = (byte) (c < 0x80 ? c : '?');
        }
        return out;
    }

    private static String unsigned(int id) {
        return Long.toString(id & 0xFFFFFFFFL);
    }
}
