package pilot.host.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;

class IdentityTest {
    final BouncyCastleSuite suite = new BouncyCastleSuite();
    @TempDir
    Path dir;

    @Test
    void savesOwnerOnlyAndLoadsBack() throws IOException {
        Path f = dir.resolve("id.json");
        Identity id = Identity.generate(suite, new SeededEntropy(1)).withNode(0x2A, 0);
        id.save(f);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(f));
        assertEquals(id, Identity.load(f, suite));
        assertTrue(Files.readString(f).contains("\"address\":\"0:0000.0000.002A\""));
        assertFalse(id.toString().contains(java.util.Base64.getEncoder().encodeToString(id.seed())), "toString never shows the key");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void loadOrCreateCreatesOnceThenKeeps() throws IOException {
        Path f = dir.resolve("sub/id.json");
        Identity first = Identity.loadOrCreate(f, suite, new SeededEntropy(2));
        Identity again = Identity.loadOrCreate(f, suite, new SeededEntropy(3));
        assertEquals(first, again);
        assertNull(Identity.load(dir.resolve("missing.json"), suite));
    }

    @Test
    void readsTheReferenceKeyLayout() {
        // 64-byte seed||public, as the reference daemon stores Go ed25519 private keys (keyexchange.json)
        String priv = java.util.Base64.getEncoder().encodeToString(pilot.core.wire.Hex.decode(
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
        Identity id = Identity.fromJson("{\"ed25519_private\":\"" + priv + "\",\"node_id\":7}", suite).value();
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", pilot.core.wire.Hex.encode(id.publicKey()));
        assertEquals(7, id.nodeId());
    }

    @Test
    void refusesCorruptOrInconsistentFiles() throws IOException {
        Identity id = Identity.generate(suite, new SeededEntropy(4));
        String good = new String(id.toJson(), StandardCharsets.UTF_8);
        String otherPub = Identity.generate(suite, new SeededEntropy(5)).publicKeyBase64();
        for (String bad : new String[] {"", "{", "[]", "{\"ed25519_private\":\"AAAA\"}", good.replace(id.publicKeyBase64(), otherPub),
            good.replace("\"node_id\":0", "\"node_id\":-1"), "{\"ed25519_private\":5}"}) {
            assertFalse(Identity.fromJson(bad, suite).isOk(), bad);
        }
        Path f = dir.resolve("torn.json");
        Files.writeString(f, good.substring(0, good.length() / 2));
        assertThrows(IOException.class, () -> Identity.load(f, suite));
    }

    @Test
    void aCorruptFileIsDescribedInWordsNotByTheParserOrTheJvm() throws IOException {
        String[][] cases = {
            {"junk", "not an identity file (not JSON: expected a value at offset 0)"},
            {"", "not an identity file (not JSON: unexpected end at offset 0)"},
            {"{\"node_id\":5}", "ed25519_private is missing"},
            {"{\"ed25519_private\":5}", "ed25519_private must be a base64 string"},
            {"{\"ed25519_private\":\"%%%\"}", "ed25519_private is not base64"},
            {"{\"ed25519_private\":\"" + Identity.generate(suite, new SeededEntropy(6)).publicKeyBase64() + "\",\"node_id\":\"7\"}",
                "node_id must be a number"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("bad.json");
            Files.writeString(f, c[0]);
            IOException e = assertThrows(IOException.class, () -> Identity.load(f, suite), c[0]);
            assertEquals(f + ": " + c[1] + "; move it away to create a new identity, or restore it from a backup", e.getMessage(), c[0]);
        }
    }

    /**
     * kill -9 while identities are being rewritten: every state of the file on disk must parse. A
     * child JVM rewrites the file in a loop; we kill it at random moments and check the file.
     */
    @Test
    void killDuringWritesNeverLeavesATornFile() throws Exception {
        Path f = dir.resolve("id.json");
        Identity.generate(suite, new SeededEntropy(9)).save(f);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        for (int round = 0; round < 8; round++) {
            Process p = new ProcessBuilder(java, "-cp", cp, IdentityWriter.class.getName(), f.toString()).redirectErrorStream(true).start();
            assertNotNull(p.getInputStream().readNBytes(6), "writer started"); // "ready\n"
            Thread.sleep(20 + round * 15L);
            p.destroyForcibly().waitFor();
            Identity after = Identity.load(f, suite);
            assertNotNull(after, "round " + round);
        }
    }
}
