package pilot.host.crypto;

import java.security.SecureRandom;
import pilot.core.crypto.Entropy;

/** The host's randomness: the platform's strong SecureRandom. */
public final class SecureEntropy implements Entropy {
    private final SecureRandom random;

    public SecureEntropy() {
        this.random = new SecureRandom(); // non-blocking (urandom-backed); getInstanceStrong() can block on Linux
    }

    @Override
    public void fill(byte[] dst) {
        random.nextBytes(dst);
    }
}
