package pilot.core.envelope;

import pilot.core.crypto.CryptoSuite;
import pilot.core.wire.Bytes;

/**
 * The two incompatible wire generations (spec K). Nothing on the wire says which one a peer speaks,
 * so the choice is explicit configuration per peer, never guessed.
 */
public enum WireProfile {
    /** Upstream since 2026-03-30 (default): HKDF-SHA256 session key, AAD = sealer's node id (spec D.5). */
    MODERN,
    /** The Feb-2026 daemon: SHA-256("pilot-tunnel-v1:" ‖ shared) key, no AAD (spec D.6). */
    FEB2026;

    private static final byte[] HKDF_INFO = Bytes.ascii("pilot-tunnel-v1");
    private static final byte[] LEGACY_PREFIX = Bytes.ascii("pilot-tunnel-v1:");
    private static final byte[] NO_AAD = new byte[0];

    /** The AES-256 key both directions share, from the X25519 shared secret. */
    public byte[] sessionKey(CryptoSuite suite, byte[] sharedSecret) {
        if (this == MODERN) {
            return suite.hkdfSha256(sharedSecret, null, HKDF_INFO, 32);
        }
        return suite.sha256(Bytes.concat(LEGACY_PREFIX, sharedSecret));
    }

    /**
     * Stream payload bytes per segment this generation's daemons send and expect (spec C.2, G.5: 4096 in
     * Feb-2026, 1024 in the modern fork). Matching it matters for Feb-2026: its Nagle logic holds a write
     * shorter than its own segment until everything in flight is acknowledged, and its echo writes back
     * each segment as it came, so 1024-byte segments move one per round trip (docs/INTEROP.md).
     */
    public int streamMss() {
        return this == FEB2026 ? 4096 : 1024;
    }

    /** The associated data for a frame sealed by {@code senderNode}. */
    public byte[] aad(int senderNode) {
        if (this == FEB2026) {
            return NO_AAD;
        }
        byte[] aad = new byte[4];
        Bytes.put32(aad, 0, senderNode);
        return aad;
    }

    /** Parses "modern" or "feb2026" (case-insensitive), or returns {@code null}. */
    public static WireProfile parse(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toLowerCase();
        if (n.equals("modern")) {
            return MODERN;
        }
        if (n.equals("feb2026") || n.equals("legacy") || n.equals("legacy_feb2026")) {
            return FEB2026;
        }
        return null;
    }
}
