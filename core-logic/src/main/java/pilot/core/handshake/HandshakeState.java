package pilot.core.handshake;

/**
 * Where the key exchange with one peer stands (after wireguard-go's explicit handshake states). Only
 * {@link KeyExchange} moves it:
 * <pre>
 *   IDLE ──startHandshake / PILK──▶ INITIATED ──PILA verified──▶ INSTALLED ──authenticated PILS──▶ CONFIRMED
 *    any ──startHandshake──▶ INITIATED        any ──PILA with a changed key verified──▶ INSTALLED
 * </pre>
 * A failure run never moves it (issue 12): it only sends a fresh PILA while the session stays.
 */
public enum HandshakeState {
    /** No session and no handshake of ours outstanding. */
    IDLE,
    /** We sent our PILA and hold no session yet (half-open: bounded by {@code HandshakeLimits.maxHalfOpen}). */
    INITIATED,
    /** A session is derived from a verified PILA; no frame has authenticated under it yet. */
    INSTALLED,
    /** A frame authenticated under the session: the peer really holds the key. */
    CONFIRMED
}
