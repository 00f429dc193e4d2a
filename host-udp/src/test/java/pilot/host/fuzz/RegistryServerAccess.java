package pilot.host.fuzz;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.registry.RegistryServer;

/** One in-process registry for the fuzz target (request handling without sockets). */
final class RegistryServerAccess {
    private static RegistryServer server;

    private RegistryServerAccess() {
    }

    static synchronized Map<String, Object> handle(Map<String, Object> request, InetAddress peer) throws IOException {
        if (server == null) {
            server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
        }
        return server.handleForTest(request, peer);
    }
}
