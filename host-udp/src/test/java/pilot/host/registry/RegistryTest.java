package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;

class RegistryTest {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    @TempDir
    Path dir;
    RegistryServer server;
    RegistryClient client;

    @BeforeEach
    void start() throws IOException {
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"));
        client = new RegistryClient(server.address(), 2000);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    SigningKey key(long seed) {
        return suite.ed25519(new SeededEntropy(seed).bytes(32));
    }

    @Test
    void registerLookupResolveAndSignedRequests() throws IOException {
        SigningKey a = key(1);
        SigningKey b = key(2);
        RegistryClient.Registration ra = client.register("0.0.0.0:4001", a.publicKey(), "alice");
        RegistryClient.Registration rb = client.register("127.0.0.1:4002", b.publicKey(), null);
        assertEquals(RegistryServer.FIRST_NODE_ID, ra.nodeId());
        assertEquals("0:0000.0000.0010", ra.address());
        assertEquals(ra, client.register("127.0.0.1:4001", a.publicKey(), null), "a known key keeps its node id");
        RegistryClient.Lookup l = client.lookup(ra.nodeId());
        assertArrayEquals(a.publicKey(), l.publicKey());
        assertEquals(null, l.realAddr(), "private until set_visibility public");
        assertThrows(RegistryClient.RegistryException.class, () -> client.resolve(ra.nodeId(), rb.nodeId(), b::sign));
        client.setVisibility(ra.nodeId(), true, a::sign);
        assertEquals("127.0.0.1:4001", client.resolve(ra.nodeId(), rb.nodeId(), b::sign), "TCP peer address + announced port");
        assertEquals("127.0.0.1:4001", client.lookup(ra.nodeId()).realAddr());
        client.heartbeat(ra.nodeId(), a::sign);
    }

    @Test
    void signaturesAreCheckedAgainstTheKeyOnFile() throws IOException {
        SigningKey a = key(1);
        SigningKey mallory = key(3);
        int id = client.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
        var e = assertThrows(RegistryClient.RegistryException.class, () -> client.setVisibility(id, true, mallory::sign));
        assertTrue(e.getMessage().contains("set_visibility:" + id), e.getMessage());
        assertThrows(RegistryClient.RegistryException.class, () -> client.heartbeat(id, msg -> new byte[64]));
        assertThrows(RegistryClient.RegistryException.class, () -> client.lookup(999));
    }

    @Test
    void malformedRequestsGetErrorsNotCrashes() throws IOException {
        for (Map<String, Object> bad : java.util.List.<Map<String, Object>>of(Map.of(), Map.of("type", "nope"),
                Map.of("type", "register"), Map.of("type", "register", "public_key", "zz", "listen_addr", "x"),
                Map.of("type", "lookup", "node_id", "seven"), Map.of("type", "resolve", "node_id", 5L))) {
            Map<String, Object> r = client.raw(bad);
            assertEquals("error", r.get("type"), bad.toString());
        }
        // a frame that claims more than 1 MiB is refused by the reader
        assertThrows(IOException.class, () -> RegistryWire.read(new ByteArrayInputStream(new byte[] {0x7F, 0, 0, 0})));
        // found by fuzzing: a cut-off length prefix is an IOException with a reason, not a bare EOFException
        IOException cut = assertThrows(IOException.class, () -> RegistryWire.read(new ByteArrayInputStream(new byte[] {'\n'})));
        assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());
        assertThrows(IOException.class, () -> RegistryWire.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 5, '{'})));
        assertThrows(IOException.class, () -> RegistryWire.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 2, '[', ']'})));
        try (Socket s = new Socket()) { // garbage on the socket: the server drops the connection and keeps serving
            s.connect(server.address());
            s.getOutputStream().write(new byte[] {0x7F, 1, 2, 3, 4});
        }
        assertEquals("error", client.raw(Map.of("type", "nope")).get("type"));
    }

    @Test
    void connectionsBeyondTheBoundAreClosedAndServiceContinues() throws Exception {
        java.util.List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < RegistryServer.MAX_CONNECTIONS + 20; i++) {
                Socket s = new Socket();
                s.connect(server.address());
                held.add(s);
            }
            Thread.sleep(300);
            int closed = 0;
            for (Socket s : held) {
                s.setSoTimeout(5);
                try {
                    if (s.getInputStream().read() < 0) {
                        closed++;
                    }
                } catch (java.net.SocketTimeoutException stillServed) {
                    // served (waiting for a request)
                }
            }
            assertTrue(closed >= 20, "connections over the bound are closed: " + closed);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        Thread.sleep(200);
        assertEquals("error", client.raw(Map.of("type", "nope")).get("type"), "the registry still serves afterwards");
    }

    @Test
    void nodeIdsSurviveARegistryRestart() throws IOException {
        SigningKey a = key(1);
        int id = client.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
        client.setVisibility(id, true, a::sign);
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"));
        client = new RegistryClient(server.address(), 2000);
        // a restart on another port: the host signs its register to move its entry, and keeps its id
        assertEquals(id, client.register("127.0.0.1:4009", a.publicKey(), null, a::sign, System.currentTimeMillis()).nodeId());
        assertEquals(id + 1, client.register("127.0.0.1:4010", key(7).publicKey(), null).nodeId());
    }

    @Test
    void aLookedUpKeyThatIsNotEd25519IsRefused() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (Socket s = fake.accept()) {
                    RegistryWire.read(s.getInputStream());
                    RegistryWire.write(s.getOutputStream(), Map.of("type", "lookup_ok", "node_id", 16L,
                            "public_key", Base64.getEncoder().encodeToString(new byte[31]), "real_addr", "127.0.0.1:1"));
                } catch (IOException e) {
                    // the assertion below reports what went wrong
                }
            });
            answer.start();
            RegistryClient c = new RegistryClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort()), 2000);
            var e = assertThrows(RegistryClient.RegistryException.class, () -> c.lookup(16));
            assertTrue(e.getMessage().contains("31 bytes"), e.getMessage());
            answer.join(5000);
        }
    }

    @Test
    void aStoppedRegistryIsAClearError() throws IOException {
        InetSocketAddress gone = server.address();
        server.close();
        var e = assertThrows(RegistryClient.RegistryException.class, () -> new RegistryClient(gone, 500).lookup(16));
        assertTrue(e.getMessage().contains("refused") || e.getMessage().contains("answer"), e.getMessage());
    }
}
