package pilot.core.frame;

/** What one UDP datagram carries (spec C). */
public enum FrameKind {
    /** {@code PILT}: plaintext packet. */
    PLAIN,
    /** {@code PILS}: AES-GCM sealed packet. */
    SEALED,
    /** {@code PILA}: authenticated key exchange. */
    AUTH_KEY,
    /** {@code PILK}: anonymous key exchange (received only; answered with PILA). */
    ANON_KEY,
    /** {@code PILP}: NAT punch, ignored by receivers. */
    PUNCH,
    /** First byte below 0x10: a beacon message (spec I.3). */
    BEACON
}
