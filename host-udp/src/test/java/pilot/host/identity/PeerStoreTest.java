package pilot.host.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerStoreTest {
    @TempDir
    Path dir;

    @Test
    void pinsOnFirstUsePersistsAndRefusesAChangedKey() throws IOException {
        Path f = PeerStore.beside(dir.resolve("id.json"));
        assertEquals(dir.resolve("id.json.peers.json"), f);
        PeerStore s = PeerStore.load(f);
        byte[] k1 = new byte[32];
        k1[0] = 1;
        byte[] k2 = new byte[32];
        k2[0] = 2;
        assertTrue(s.pin(16, k1));
        assertTrue(s.pin(16, k1), "the same key again is fine");
        assertFalse(s.pin(16, k2), "a different key for a pinned node is refused");
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(f));
        PeerStore again = PeerStore.load(f);
        assertArrayEquals(k1, again.key(16));
        Files.writeString(f, "{\"peers\":[{\"node_id\":1,\"ed25519_public\":\"AAAA\"}]}");
        assertThrows(IOException.class, () -> PeerStore.load(f));
        Files.writeString(f, "nonsense");
        assertThrows(IOException.class, () -> PeerStore.load(f));
    }
}
