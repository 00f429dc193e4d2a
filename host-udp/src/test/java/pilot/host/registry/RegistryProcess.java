package pilot.host.registry;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import pilot.core.crypto.BouncyCastleSuite;

/** Child process for the kill -9 test: a registry on a store file, its port on stdout, until killed. */
public final class RegistryProcess {
    private RegistryProcess() {
    }

    public static void main(String[] args) throws Exception {
        RegistryServer server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), Path.of(args[0]));
        System.out.println(server.address().getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
