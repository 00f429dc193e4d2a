package pilot.host.identity;

import java.nio.file.Path;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;

/** Child process for the kill -9 test: rewrites an identity file as fast as it can until killed. */
public final class IdentityWriter {
    private IdentityWriter() {
    }

    public static void main(String[] args) throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        Path f = Path.of(args[0]);
        SeededEntropy r = new SeededEntropy(System.nanoTime());
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; ; i++) {
            Identity.generate(suite, r).withNode(i, 0).save(f);
        }
    }
}
