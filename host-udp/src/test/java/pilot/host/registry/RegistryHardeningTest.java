package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.edge.SignedTexts;
import pilot.core.json.Json;

/** The registry's weaknesses from issue 12, each tried against a running server over loopback. */
class RegistryHardeningTest {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    @TempDir
    Path dir;
    RegistryServer server;
    RegistryClient client;

    @BeforeEach
    void start() throws IOException {
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"));
        client = new RegistryClient(server.address(), 3000);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    SigningKey key(long seed) {
        return suite.ed25519(new SeededEntropy(seed).bytes(32));
    }

    static Map<String, Object> register(String key, String listen) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "register");
        m.put("public_key", key);
        m.put("listen_addr", listen);
        return m;
    }

    @Test
    void aKeySpelledWithoutPaddingIsTheSameKeyAndCannotStealTheNodeAcrossARestart() throws IOException {
        SigningKey victim = key(1);
        String padded = Base64.getEncoder().encodeToString(victim.publicKey());
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(victim.publicKey());
        assertNotEquals(padded, unpadded);
        Map<String, Object> first = client.raw(register(padded, "127.0.0.1:4001"));
        assertEquals("register_ok", first.get("type"));
        // the attacker re-spells the victim's key and announces its own port, unsigned
        Map<String, Object> spoof = client.raw(register(unpadded, "127.0.0.1:6666"));
        assertEquals("error", spoof.get("type"), "the same key, re-pointed without a signature: " + spoof);
        client.setVisibility((int) (long) (Long) first.get("node_id"), true, victim::sign);
        assertEquals("127.0.0.1:4001", client.lookup((int) (long) (Long) first.get("node_id")).realAddr(), "entry untouched");
        // a key of any other length is refused
        assertEquals("error", client.raw(register(Base64.getEncoder().encodeToString(new byte[31]), "127.0.0.1:1")).get("type"));
        assertEquals("error", client.raw(register(Base64.getEncoder().encodeToString(new byte[33]), "127.0.0.1:1")).get("type"));

        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"));
        client = new RegistryClient(server.address(), 3000);
        Map<String, Object> again = client.raw(register(padded, "127.0.0.1:4001"));
        assertEquals(first.get("node_id"), again.get("node_id"), "after a restart the victim keeps its own node id");
        assertEquals(padded, again.get("public_key"), "keys are answered in canonical base64");
        assertArrayEquals(victim.publicKey(), client.lookup((int) (long) (Long) first.get("node_id")).publicKey());
    }

    @Test
    void unsignedRePointingOfAKnownKeyIsRefusedAndLeavesTheEntryUntouched() throws IOException {
        SigningKey a = key(2);
        int id = client.register("127.0.0.1:4001", a.publicKey(), "alice").nodeId();
        client.setVisibility(id, true, a::sign);
        Map<String, Object> moved = client.raw(register(Base64.getEncoder().encodeToString(a.publicKey()), "127.0.0.1:4999"));
        assertEquals("error", moved.get("type"), moved.toString());
        assertTrue(String.valueOf(moved.get("error")).contains("signed register"), moved.toString());
        RegistryClient.Lookup l = client.lookup(id);
        assertEquals("127.0.0.1:4001", l.realAddr());
        // the same address again, unsigned, changes nothing and is answered (as the reference does)
        assertEquals(id, client.register("127.0.0.1:4001", a.publicKey(), null).nodeId());
    }

    @Test
    void idleConnectionsCannotMakeTheRegistryUnavailable() throws Exception {
        SigningKey a = key(3);
        int id = client.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < RegistryServer.MAX_CONNECTIONS + 44; i++) {
                Socket s = new Socket();
                s.connect(server.address(), 2000);
                idle.add(s);
            }
            Thread.sleep(200);
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(a.publicKey(), client.lookup(id).publicKey(), "lookup " + i + " during the flood");
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void malformedRequestsGetAnErrorAndTheConnectionSurvives() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server.address(), 2000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            // a non-numeric port, a port out of range, a body that is not JSON, a JSON array, a key of the wrong type
            String key = Base64.getEncoder().encodeToString(key(4).publicKey());
            for (byte[] body : List.of(Json.write(register(key, "127.0.0.1:http")).getBytes(StandardCharsets.UTF_8),
                    Json.write(register(key, "127.0.0.1:99999")).getBytes(StandardCharsets.UTF_8),
                    Json.write(register(key, "127.0.0.1:")).getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8), "[1,2]".getBytes(StandardCharsets.UTF_8),
                    "{\"type\":\"register\",\"public_key\":7,\"listen_addr\":\"127.0.0.1:1\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"type\":\"resolve\",\"node_id\":16,\"requester_id\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                    "{\"type\":\"lookup\",\"node_id\":1e300}".getBytes(StandardCharsets.UTF_8),
                    Json.write(register(key, "h".repeat(300) + ":1")).getBytes(StandardCharsets.UTF_8), // listen_addr over 300 chars
                    Json.write(withField(register(key, "127.0.0.1:1"), "hostname", "h".repeat(254))).getBytes(StandardCharsets.UTF_8),
                    Json.write(register("A".repeat(65), "127.0.0.1:1")).getBytes(StandardCharsets.UTF_8), // key text over 64 chars
                    Json.write(withField(withField(register(key, "127.0.0.1:1"), "timestamp", 1L), "signature", "A".repeat(129)))
                            .getBytes(StandardCharsets.UTF_8))) {
                byte[] frame = new byte[4 + body.length];
                pilot.core.wire.Bytes.put32(frame, 0, body.length);
                System.arraycopy(body, 0, frame, 4, body.length);
                out.write(frame);
                out.flush();
                Map<String, Object> reply = RegistryWire.read(in);
                assertEquals("error", reply == null ? null : reply.get("type"), new String(body, StandardCharsets.UTF_8) + " → " + reply);
                assertTrue(reply.get("error") instanceof String);
            }
            // the same connection still serves
            RegistryWire.write(out, register(key, "127.0.0.1:4004"));
            assertEquals("register_ok", RegistryWire.read(in).get("type"));
        }
    }

    @Test
    void aSignedRegisterMovesTheKeyButIsNeitherReplayableNorForgeable() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"), RegistryLimits.DEFAULTS,
                clock::get, RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        SigningKey a = key(5);
        SigningKey mallory = key(6);
        String keyA = Base64.getEncoder().encodeToString(a.publicKey());
        int id = client.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
        client.setVisibility(id, true, a::sign, clock.get());

        // the host restarted on another port and signs: same node id, new address
        long t1 = clock.addAndGet(1);
        Map<String, Object> moved = signedRegister(a, keyA, "127.0.0.1:4002", t1);
        Map<String, Object> ok = client.raw(moved);
        assertEquals("register_ok", ok.get("type"), ok.toString());
        assertEquals((long) id, ok.get("node_id"), "a restart on another port keeps the node id");
        assertEquals("127.0.0.1:4002", client.lookup(id).realAddr());
        client.register("127.0.0.1:4003", a.publicKey(), null, a::sign, t1 + 5);
        assertEquals("127.0.0.1:4003", client.lookup(id).realAddr());

        // each of these is refused and leaves the entry where the owner put it
        List<Map<String, Object>> refused = List.of(
                moved, // a replay of an old signed register (its timestamp is not newer)
                signedRegister(a, keyA, "127.0.0.1:4002", t1 + 5), // the last one's timestamp again
                signedRegister(mallory, keyA, "127.0.0.1:6666", t1 + 10), // signed by another key
                withField(signedRegister(a, keyA, "127.0.0.1:4004", t1 + 10), "listen_addr", "127.0.0.1:6666"), // port changed after signing
                signedRegister(a, keyA, "127.0.0.1:4005", clock.get() + RegistryLimits.DEFAULTS.maxRegisterSkewMillis() + 1), // too far ahead
                withField(register(keyA, "127.0.0.1:6666"), "timestamp", t1 + 20), // a timestamp without a signature
                withField(signedRegister(a, keyA, "127.0.0.1:6666", t1 + 30), "signature", "AAAA")); // a malformed signature
        for (Map<String, Object> r : refused) {
            Map<String, Object> answer = client.raw(r);
            assertEquals("error", answer.get("type"), r + " → " + answer);
            assertEquals("127.0.0.1:4003", client.lookup(id).realAddr(), "untouched after " + r);
        }
        // an old signed register that changes nothing is answered (a host whose clock stepped back still starts)
        assertEquals((long) id, client.raw(signedRegister(a, keyA, "127.0.0.1:4003", t1 + 1)).get("node_id"));
        // a signed register captured now and replayed after the allowed skew is refused too
        Map<String, Object> captured = signedRegister(a, keyA, "127.0.0.1:6666", clock.get() + 40);
        clock.addAndGet(RegistryLimits.DEFAULTS.maxRegisterSkewMillis() + 1000);
        assertEquals("error", client.raw(captured).get("type"));
        assertEquals("127.0.0.1:4003", client.lookup(id).realAddr());
        // and the last accepted timestamp survives a restart (a replay cannot come back then)
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"), RegistryLimits.DEFAULTS,
                () -> t1 + 1, RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        assertEquals("error", client.raw(signedRegister(a, keyA, "127.0.0.1:4002", t1)).get("type"));
        assertEquals("127.0.0.1:4003", client.lookup(id).realAddr());
    }

    @Test
    void aCapturedSetVisibilityCannotBeReplayedWithEitherValueByANodeThatSignsItsRegister() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"), RegistryLimits.DEFAULTS,
                clock::get, RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        SigningKey a = key(8);
        String keyA = Base64.getEncoder().encodeToString(a.publicKey());
        Map<String, Object> reg = signedRegister(a, keyA, "127.0.0.1:4001", clock.get());
        int id = (int) (long) (Long) client.raw(reg).get("node_id");
        // what an on-path attacker captures: the owner making itself public, signed both ways
        long t1 = clock.addAndGet(10);
        Map<String, Object> captured = new LinkedHashMap<>();
        captured.put("type", "set_visibility");
        captured.put("node_id", (long) id);
        captured.put("public", true);
        captured.put("signature", Base64.getEncoder().encodeToString(a.sign(("set_visibility:" + id).getBytes(StandardCharsets.US_ASCII))));
        captured.put("timestamp", t1);
        captured.put("stamped_signature", Base64.getEncoder().encodeToString(a.sign(SignedTexts.ascii(SignedTexts.setVisibilityStamped((int) id, true, t1)))));
        assertEquals("set_visibility_ok", client.raw(captured).get("type"));
        assertEquals("127.0.0.1:4001", client.lookup(id).realAddr());

        List<Map<String, Object>> replays = List.of(
                withField(captured, "public", false), // the value flipped under the stamped signature
                withField(withField(withField(captured, "public", false), "timestamp", null), "stamped_signature", null)); // reference form only
        for (Map<String, Object> r : replays) {
            r.values().removeIf(java.util.Objects::isNull);
            assertEquals("error", client.raw(r).get("type"), "refused: " + r);
            assertTrue(client.lookup(id).isPublic(), "still public after " + r);
        }
        // the owner goes private later; the captured 'public' request replayed is older and refused
        client.setVisibility(id, false, a::sign, clock.addAndGet(10));
        assertEquals("error", client.raw(captured).get("type"));
        assertFalse(client.lookup(id).isPublic(), "still private");
        // a node that registered the reference way (unsigned) keeps the reference form (reference daemons)
        SigningKey legacy = key(9);
        int old = client.register("127.0.0.1:4009", legacy.publicKey(), null).nodeId();
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("type", "set_visibility");
        plain.put("node_id", (long) old);
        plain.put("public", true);
        plain.put("signature", Base64.getEncoder().encodeToString(legacy.sign(("set_visibility:" + old).getBytes(StandardCharsets.US_ASCII))));
        assertEquals("set_visibility_ok", client.raw(plain).get("type"));
    }

    /** One request from a client bound to another loopback address (the registry sees that IP). */
    Map<String, Object> from(String localIp, Map<String, Object> request) throws IOException {
        return from(server.address(), localIp, request);
    }

    /** One request to {@code registry} from another loopback address. */
    static Map<String, Object> from(InetSocketAddress registry, String localIp, Map<String, Object> request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(localIp, 0));
            s.connect(registry, 3000);
            s.setSoTimeout(3000);
            RegistryWire.write(s.getOutputStream(), request);
            return RegistryWire.read(s.getInputStream());
        }
    }

    @Test
    void aSignedRegisterThatChangedNothingCannotBeReplayedFromAnotherAddressNorRenameTheNode() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        server.close();
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, dir.resolve("registry.json"), RegistryLimits.DEFAULTS,
                clock::get, RegistryStore.FSYNC, GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        SigningKey a = key(7);
        String keyA = Base64.getEncoder().encodeToString(a.publicKey());
        int id = client.register("127.0.0.1:4001", a.publicKey(), "honest").nodeId();
        client.setVisibility(id, true, a::sign, clock.get());
        // the host restarts on the same port with the same name and signs its register: nothing moves...
        Map<String, Object> restart = withField(signedRegister(a, keyA, "127.0.0.1:4001", clock.get()), "hostname", "honest");
        assertEquals("register_ok", client.raw(restart).get("type"));
        // ...and an on-path attacker who captured it replays it from its own address within the skew window
        clock.addAndGet(1000);
        Map<String, Object> replayed = from("127.0.0.2", restart);
        assertEquals("error", replayed.get("type"), "a replay from another IP moves the entry: " + replayed);
        assertEquals("127.0.0.1:4001", client.lookup(id).realAddr());
        // the hostname is not covered by the signature: the captured register replayed with another hostname renames nothing
        // (only a newer one, the owner's own, may: RegistryDosTest.theKeysOwnerSetsItsHostnameBySigningAndStrangersCannot)
        Map<String, Object> renamed = withField(restart, "hostname", "evil");
        client.raw(renamed);
        Map<String, Object> lookup = new LinkedHashMap<>();
        lookup.put("type", "lookup");
        lookup.put("node_id", (long) id);
        assertEquals("honest", client.raw(lookup).get("hostname"), "the replay renamed the node");
    }

    Map<String, Object> signedRegister(SigningKey signer, String key, String listen, long stamp) {
        Map<String, Object> m = register(key, listen);
        m.put("timestamp", stamp);
        m.put("signature", Base64.getEncoder().encodeToString(signer.sign(SignedTexts.ascii(SignedTexts.register(key, listen, stamp)))));
        return m;
    }

    static Map<String, Object> withField(Map<String, Object> m, String k, Object v) {
        Map<String, Object> c = new LinkedHashMap<>(m);
        c.put(k, v);
        return c;
    }

    @Test
    void oneAddressHoldsAtMostItsShareAndIdleOrTricklingConnectionsAreClosed() throws Exception {
        server.close();
        RegistryLimits limits = RegistryLimits.DEFAULTS.withIdleTimeoutMillis(400);
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null, limits);
        client = new RegistryClient(server.address(), 3000);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < limits.maxConnectionsPerIp() + 10; i++) {
                Socket s = new Socket();
                s.connect(server.address(), 2000);
                idle.add(s);
            }
            Thread.sleep(100);
            assertTrue(server.openConnections() <= limits.maxConnectionsPerIp(), "open: " + server.openConnections());
            // a client trickling a request byte by byte never completes one: it is idle, and closed
            Socket slow = new Socket();
            slow.connect(server.address(), 2000);
            idle.add(slow);
            slow.setSoTimeout(3000);
            long t0 = System.nanoTime();
            boolean closedByServer = false;
            try {
                slow.getOutputStream().write(new byte[] {0, 0, 0, 100}); // announces 100 bytes, then sends them slowly
                for (int i = 0; i < 40 && !closedByServer; i++) {
                    slow.getOutputStream().write(' ');
                    slow.getOutputStream().flush();
                    Thread.sleep(50);
                    closedByServer = server.openConnections() == 0;
                }
            } catch (IOException reset) {
                closedByServer = true;
            }
            assertTrue(closedByServer, "the trickling client was closed");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 1900, "closed after the 400 ms idle timeout (+ reaper period)");
            assertEquals(-1, idle.get(0).getInputStream().read(), "every idle connection was closed");
            assertEquals("error", client.raw(Map.of("type", "nope")).get("type"), "the registry still serves");
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void newKeysFromOneAddressAreRateLimitedAndTheTableIsBounded() throws Exception {
        AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        server.close();
        RegistryLimits limits = RegistryLimits.DEFAULTS.withMaxNodes(30);
        server = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, null, limits, clock::get, RegistryStore.FSYNC,
                GroupCommit.COMPACT_AFTER_RECORDS);
        client = new RegistryClient(server.address(), 3000);
        SigningKey honest = key(7);
        int id = client.register("127.0.0.1:4001", honest.publicKey(), null).nodeId();
        int accepted = 1;
        for (int i = 0; i < 40; i++) {
            Map<String, Object> r = client.raw(register(Base64.getEncoder().encodeToString(key(1000 + i).publicKey()), "127.0.0.1:5000"));
            if ("register_ok".equals(r.get("type"))) {
                accepted++;
            } else {
                assertTrue(String.valueOf(r.get("error")).contains("too many new registrations"), r.toString());
            }
        }
        assertEquals(limits.newKeysPerIpPerSecond(), accepted, "a burst of new keys from one address, then refused");
        assertEquals(id, client.register("127.0.0.1:4001", honest.publicKey(), null).nodeId(), "a known key is not limited");
        clock.addAndGet(1000);
        for (int i = 0; i < 40; i++) {
            Map<String, Object> r = client.raw(register(Base64.getEncoder().encodeToString(key(2000 + i).publicKey()), "127.0.0.1:5000"));
            accepted += "register_ok".equals(r.get("type")) ? 1 : 0;
            if (accepted == limits.maxNodes()) {
                Map<String, Object> full = client.raw(register(Base64.getEncoder().encodeToString(key(3000).publicKey()), "127.0.0.1:5000"));
                assertTrue(String.valueOf(full.get("error")).contains("full"), full.toString());
                break;
            }
        }
        assertEquals(limits.maxNodes(), accepted);
        assertEquals(id, client.register("127.0.0.1:4001", honest.publicKey(), null).nodeId(), "known keys still re-register when full");
    }

    @Test
    void honestLookupsAreServedWhileConnectionsChurn() throws Exception {
        SigningKey a = key(8);
        int id = client.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> attackers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread th = new Thread(() -> {
                java.util.ArrayDeque<Socket> held = new java.util.ArrayDeque<>();
                try {
                    while (!stop.get()) {
                        Socket s = new Socket();
                        s.connect(server.address(), 2000);
                        opened.incrementAndGet();
                        held.add(s);
                        if (held.size() > 300) {
                            held.poll().close();
                        }
                    }
                } catch (IOException e) {
                    // a connect that timed out: the flood goes on in the other thread
                } finally {
                    for (Socket s : held) {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    }
                }
            });
            th.start();
            attackers.add(th);
        }
        try {
            Thread.sleep(200);
            for (int i = 0; i < 30; i++) {
                assertArrayEquals(a.publicKey(), client.lookup(id).publicKey(), "lookup " + i + " during the churn");
                Thread.sleep(20);
            }
        } finally {
            stop.set(true);
            for (Thread th : attackers) {
                th.join(5000);
            }
        }
        assertTrue(server.evictions() > 0, "the flood (" + opened.get() + " connections) hit the per-address bound");
    }
}
