package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;

/** The registry's durability: what register_ok promised survives kill -9; the disk never blocks a lookup. */
class RegistryStoreTest {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    @TempDir
    Path dir;

    SigningKey key(long seed) {
        return suite.ed25519(new SeededEntropy(seed).bytes(32));
    }

    RegistryServer open(Path store, RegistryStore.Force force, int compactAfter) throws IOException {
        return new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, store, RegistryLimits.DEFAULTS, System::currentTimeMillis,
                force, compactAfter);
    }

    @Test
    void everyAcknowledgedRegistrationSurvivesKillDashNine() throws Exception {
        Path store = dir.resolve("registry.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RegistryProcess.class.getName(), store.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Integer> ids = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            String port = out.readLine();
            RegistryClient c = new RegistryClient(new InetSocketAddress("127.0.0.1", Integer.parseInt(port.trim())), 5000);
            for (int i = 0; i < 20; i++) {
                SigningKey k = key(100 + i);
                int id = c.register("127.0.0.1:" + (5000 + i), k.publicKey(), null).nodeId(); // register_ok received
                ids.add(id);
                if (i % 2 == 0) {
                    c.setVisibility(id, true, k::sign);
                }
            }
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no flush
        }
        try (RegistryServer again = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), suite, store)) {
            RegistryClient c = new RegistryClient(again.address(), 3000);
            for (int i = 0; i < ids.size(); i++) {
                RegistryClient.Lookup l = c.lookup(ids.get(i));
                assertArrayEquals(key(100 + i).publicKey(), l.publicKey(), "node " + ids.get(i));
                assertEquals(i % 2 == 0 ? "127.0.0.1:" + (5000 + i) : null, l.realAddr(), "visibility of node " + ids.get(i));
            }
            assertEquals(ids.get(ids.size() - 1) + 1, c.register("127.0.0.1:1", key(999).publicKey(), null).nodeId(), "ids are not reused");
        }
    }

    @Test
    void lookupsNeverWaitForTheDisk() throws Exception {
        AtomicBoolean block = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        RegistryStore.Force slowDisk = ch -> {
            if (block.get()) {
                blocked.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS); // an fsync that takes as long as we like
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ch.force(false);
        };
        try (RegistryServer server = open(dir.resolve("registry.json"), slowDisk, GroupCommit.COMPACT_AFTER_RECORDS)) {
            RegistryClient c = new RegistryClient(server.address(), 3000);
            SigningKey a = key(1);
            int id = c.register("127.0.0.1:4001", a.publicKey(), null).nodeId();
            block.set(true);
            CompletableFuture<RegistryClient.Registration> pending = CompletableFuture.supplyAsync(() -> {
                try {
                    return new RegistryClient(server.address(), 20_000).register("127.0.0.1:4002", key(2).publicKey(), null);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(blocked.await(5, TimeUnit.SECONDS), "the second register reached the disk");
            // the disk is stuck in an fsync: lookups are still answered, and the unacknowledged node is not visible
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(a.publicKey(), c.lookup(id).publicKey());
            }
            assertThrows(RegistryClient.RegistryException.class, () -> c.lookup(id + 1), "not acknowledged, not visible");
            assertFalse(pending.isDone(), "register_ok waits for its fsync");
            release.countDown();
            assertEquals(id + 1, pending.get(10, TimeUnit.SECONDS).nodeId());
            assertArrayEquals(key(2).publicKey(), c.lookup(id + 1).publicKey());
        }
    }

    @Test
    void theLogIsCompactedWhenItGrowsAndOnStart() throws IOException {
        Path store = dir.resolve("registry.json");
        Path log = dir.resolve("registry.json.log");
        try (RegistryServer server = open(store, RegistryStore.FSYNC, 5)) {
            RegistryClient c = new RegistryClient(server.address(), 3000);
            for (int i = 0; i < 12; i++) {
                c.register("127.0.0.1:" + (6000 + i), key(200 + i).publicKey(), null);
            }
            long lines = Files.readAllLines(log).size();
            assertTrue(lines < 5, "folded into the snapshot every 5 records: " + lines + " lines left");
            assertTrue(Files.readString(store).contains(Base64.getEncoder().encodeToString(key(209).publicKey())));
        }
        try (RegistryServer again = open(store, RegistryStore.FSYNC, 5)) {
            assertEquals(0, Files.size(log), "compacted on start");
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(log), "owner-only, like the store");
            RegistryClient c = new RegistryClient(again.address(), 3000);
            assertArrayEquals(key(211).publicKey(), c.lookup(NodeTable.FIRST_NODE_ID + 11).publicKey());
        }
    }

    @Test
    void aTornLastLineIsIgnoredAndACorruptOneIsAVisibleError() throws IOException {
        Path store = dir.resolve("registry.json");
        Path log = dir.resolve("registry.json.log");
        String k1 = Base64.getEncoder().encodeToString(key(1).publicKey());
        String rec = "{\"node_id\":16,\"public_key\":\"" + k1 + "\",\"real_addr\":\"127.0.0.1:4001\",\"public\":true,\"seq\":1}\n";
        Files.writeString(log, rec + "{\"node_id\":17,\"public_k"); // killed in the middle of the second append
        try (RegistryServer server = open(store, RegistryStore.FSYNC, 100)) {
            RegistryClient c = new RegistryClient(server.address(), 3000);
            assertEquals("127.0.0.1:4001", c.lookup(16).realAddr());
            assertThrows(RegistryClient.RegistryException.class, () -> c.lookup(17));
        }
        Files.writeString(log, "{\"node_id\":16,\"public_key\":\"short\"}\n" + rec);
        IOException e = assertThrows(IOException.class, () -> open(store, RegistryStore.FSYNC, 100).close());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void anOlderStoreWithOneKeyUnderTwoSpellingsKeepsTheFirstOwner() throws IOException {
        // what the old registry wrote after the padding attack: the victim (16) and the attacker's copy (17),
        // both stored in canonical spelling (it re-encoded the key, but indexed the text as sent)
        byte[] k = key(1).publicKey();
        String padded = Base64.getEncoder().encodeToString(k);
        Path store = dir.resolve("registry.json");
        Files.writeString(store, "{\"nodes\":[{\"node_id\":16,\"public_key\":\"" + padded + "\",\"real_addr\":\"127.0.0.1:4001\",\"public\":true},"
                + "{\"node_id\":17,\"public_key\":\"" + padded + "\",\"real_addr\":\"127.0.0.1:6666\",\"public\":true}]}");
        try (RegistryServer server = open(store, RegistryStore.FSYNC, 100)) {
            RegistryClient c = new RegistryClient(server.address(), 3000);
            assertEquals(16, c.register("127.0.0.1:4001", k, null).nodeId(), "the victim keeps its id after the restart");
            assertThrows(RegistryClient.RegistryException.class, () -> c.lookup(17));
            Map<String, Object> r = c.raw(Map.of("type", "lookup", "node_id", 16L));
            assertEquals(padded, r.get("public_key"));
        }
        assertFalse(Files.readString(store).contains("6666"), "the duplicate is gone from the compacted store");
    }

    @Test
    void aFailedWriteIsAnErrorReplyAndLeavesTheLogClean() throws IOException {
        AtomicBoolean fail = new AtomicBoolean();
        RegistryStore.Force flakyDisk = ch -> {
            if (fail.get()) {
                throw new IOException("No space left on device");
            }
            ch.force(false);
        };
        Path store = dir.resolve("registry.json");
        try (RegistryServer server = open(store, flakyDisk, 100)) {
            RegistryClient c = new RegistryClient(server.address(), 3000);
            int id = c.register("127.0.0.1:4001", key(1).publicKey(), null).nodeId();
            fail.set(true);
            var e = assertThrows(RegistryClient.RegistryException.class, () -> c.register("127.0.0.1:4002", key(2).publicKey(), null));
            assertTrue(e.getMessage().contains("could not store"), e.getMessage());
            assertThrows(RegistryClient.RegistryException.class, () -> c.lookup(id + 1), "not stored, not visible");
            fail.set(false);
            assertEquals(id + 1, c.register("127.0.0.1:4002", key(2).publicKey(), null).nodeId(), "stored once the disk works again");
            assertArrayEquals(key(2).publicKey(), c.lookup(id + 1).publicKey(), "and visible then");
        }
        try (RegistryServer again = open(store, RegistryStore.FSYNC, 100)) {
            RegistryClient c = new RegistryClient(again.address(), 3000);
            assertArrayEquals(key(2).publicKey(), c.lookup(NodeTable.FIRST_NODE_ID + 1).publicKey(), "the log starts cleanly");
        }
    }
}
