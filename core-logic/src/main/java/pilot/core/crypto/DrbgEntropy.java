package pilot.core.crypto;

/**
 * A hash DRBG: SHA-256 in counter mode over a secret state, seeded (and reseeded) from real randomness
 * the host supplies. It lets a runtime that can only hand over random bytes in batches (the Worker,
 * through {@code crypto.getRandomValues}) give the core a synchronous {@link Entropy}. After every
 * request the state is replaced by a one-way function of itself, so earlier outputs cannot be
 * recomputed from a later state.
 */
public final class DrbgEntropy implements Entropy {
    private final CryptoSuite suite;
    private byte[] state;
    private long counter;

    public DrbgEntropy(CryptoSuite suite, byte[] seed) {
        if (seed == null || seed.length < 32) {
            throw new IllegalArgumentException("seed needs at least 32 random bytes");
        }
        this.suite = suite;
        this.state = suite.sha256(pilot.core.wire.Bytes.concat(new byte[] {'s'}, seed));
    }

    /** Mixes fresh randomness into the state. */
    public void reseed(byte[] more) {
        state = suite.sha256(pilot.core.wire.Bytes.concat(new byte[] {'r'}, state, more));
    }

    @Override
    public void fill(byte[] dst) {
        int at = 0;
        byte[] block = new byte[state.length + 9];
        System.arraycopy(state, 0, block, 0, state.length);
        while (at < dst.length) {
            block[state.length] = 'o';
            pilot.core.wire.Bytes.put64(block, state.length + 1, counter++);
            byte[] out = suite.sha256(block);
            int n = Math.min(out.length, dst.length - at);
            System.arraycopy(out, 0, dst, at, n);
            at += n;
        }
        block[state.length] = 'n';
        pilot.core.wire.Bytes.put64(block, state.length + 1, counter++);
        state = suite.sha256(block);
    }
}
