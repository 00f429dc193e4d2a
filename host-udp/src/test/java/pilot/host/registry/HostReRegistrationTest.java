package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.identity.Identity;

/** A host that restarts on another port signs its register, and keeps its node id at the new address. */
class HostReRegistrationTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedHostOnAnotherPortKeepsItsNodeId() throws IOException {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        Path identity = dir.resolve("host.json");
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"))) {
            RegistryClient client = new RegistryClient(registry.address(), 3000);
            int node;
            int firstPort;
            try (HostDaemon first = HostDaemon.start(HostConfig.loopback(identity, registry.address()))) {
                node = first.address().node();
                firstPort = first.localEndpoint().getPort();
            }
            try (HostDaemon again = HostDaemon.start(HostConfig.loopback(identity, registry.address()))) {
                int port = again.localEndpoint().getPort();
                assertNotEquals(firstPort, port, "the test needs the second run on another port");
                assertEquals(node, again.address().node(), "same node id after the restart");
                assertEquals("127.0.0.1:" + port, client.lookup(node).realAddr(), "the entry moved to the new port");
            }
            assertEquals(node, Identity.load(identity, suite).nodeId(), "the identity file was not rewritten with another id");
        }
    }

    @Test
    void aHostWhoseRegistryForgotItRegistersAgainAndStaysReachable() throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        Path identity = dir.resolve("host.json");
        InetSocketAddress at;
        int node;
        try (RegistryServer first = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("first.json"))) {
            at = first.address();
            try (HostDaemon host = HostDaemon.start(HostConfig.loopback(identity, at).withHeartbeatMillis(100))) {
                node = host.address().node();
                first.close(); // the registry goes away with its store...
                try (RegistryServer fresh = new RegistryServer(at, suite, dir.resolve("fresh.json"))) { // ...and comes back empty
                    RegistryClient client = new RegistryClient(fresh.address(), 3000);
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    RegistryClient.Lookup found = null;
                    // registered, then made public (a second request): until then a lookup has no real_addr
                    while ((found == null || !found.isPublic()) && System.nanoTime() < deadline) {
                        try {
                            found = client.lookup(node);
                        } catch (IOException notYet) {
                            found = null;
                        }
                        if (found == null || !found.isPublic()) {
                            Thread.sleep(50);
                        }
                    }
                    assertNotNull(found, "the host registered again with the registry that lost its entry");
                    assertEquals("127.0.0.1:" + host.localEndpoint().getPort(), found.realAddr());
                    assertTrue(found.isPublic(), "and is resolvable again, as after its first registration");
                }
            }
        }
    }

    @Test
    void aHostWhoseEntryAnotherProcessMovedTakesItBack() throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        Path identity = dir.resolve("host.json");
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"));
             HostDaemon host = HostDaemon.start(HostConfig.loopback(identity, registry.address()).withHeartbeatMillis(100))) {
            RegistryClient client = new RegistryClient(registry.address(), 3000);
            int node = host.address().node();
            String ours = "127.0.0.1:" + host.localEndpoint().getPort();
            // a short-lived CLI command run with the same identity registers its own port (signed, so it moves)
            var key = Identity.load(identity, suite).signingKey(suite);
            client.register("127.0.0.1:9", key.publicKey(), null, key::sign, System.currentTimeMillis());
            long deadline = System.nanoTime() + 10_000_000_000L;
            String now = client.lookup(node).realAddr();
            while (!ours.equals(now) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                now = client.lookup(node).realAddr();
            }
            assertEquals(ours, now, "the running host took its entry back");
        }
    }
}
