package pilot.core.handshake;

/**
 * Where the Ed25519 key of a node comes from (spec D.2 step 4): a pinned key, or a registry
 * {@code lookup} result the host cached. The core never fetches anything itself.
 */
@FunctionalInterface
public interface TrustSource {
    /** The 32-byte Ed25519 public key registered for {@code node}, or {@code null} when unknown. */
    byte[] ed25519KeyFor(int node);
}
