package pilot.core.crypto;

/**
 * The only source of randomness the core uses. The JVM host wraps {@code SecureRandom}, the Worker shim
 * wraps {@code crypto.getRandomValues}, tests use {@link SeededEntropy}.
 */
@FunctionalInterface
public interface Entropy {
    /** Fills {@code dst} entirely with random bytes. */
    void fill(byte[] dst);

    default byte[] bytes(int n) {
        byte[] out = new byte[n];
        fill(out);
        return out;
    }
}
