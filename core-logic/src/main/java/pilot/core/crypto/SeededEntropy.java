package pilot.core.crypto;

/**
 * Deterministic entropy for tests and simulations: SplitMix64 from a 64-bit seed. Same seed, same bytes,
 * on the JVM and in wasm. Never use it for real keys.
 */
public final class SeededEntropy implements Entropy {
    private long state;

    public SeededEntropy(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void fill(byte[] dst) {
        int i = 0;
        while (i < dst.length) {
            long r = nextLong();
            for (int k = 0; k < 8 && i < dst.length; k++, i++) {
                dst[i] = (byte) (r >>> (8 * k));
            }
        }
    }
}
