package pilot.host.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;

class AtomicFilesTest {
    static final Set<PosixFilePermission> RW_OWNER = PosixFilePermissions.fromString("rw-------");
    @TempDir
    Path dir;

    @Test
    void theTemporaryFileIsOwnerOnlyBeforeItsFirstByte() throws IOException {
        Path target = dir.resolve("identity.json");
        List<Set<PosixFilePermission>> seen = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        AtomicFiles.write(target, "{\"secret\":1}".getBytes(StandardCharsets.UTF_8), tmp -> {
            try {
                seen.add(Files.getPosixFilePermissions(tmp));
                sizes.add(Files.size(tmp));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(List.of(RW_OWNER), seen, "mode of the temporary file as created (the umask gave 0644 before)");
        assertEquals(List.of(0L), sizes, "seen before any byte was written");
        assertEquals(RW_OWNER, Files.getPosixFilePermissions(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void newDirectoriesAreOwnerOnlyAndAnExposedOneIsNoticed() throws IOException {
        Path nested = dir.resolve("home/.pilot");
        Identity.generate(new BouncyCastleSuite(), new SeededEntropy(1)).save(nested.resolve("identity.json"));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(nested), "~/.pilot is 0700");
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(dir.resolve("home")));
        assertFalse(AtomicFiles.exposed(nested));
        PeerStore peers = PeerStore.load(PeerStore.beside(nested.resolve("identity.json")));
        assertTrue(peers.pin(16, new byte[32]));
        assertEquals(RW_OWNER, Files.getPosixFilePermissions(PeerStore.beside(nested.resolve("identity.json"))));

        Path shared = Files.createDirectory(dir.resolve("shared"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(AtomicFiles.exposed(shared), "a 0755 directory is reported (a WARN line at write)");
        AtomicFiles.write(shared.resolve("id.json"), new byte[] {1});
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), Files.getPosixFilePermissions(shared), "an existing directory is left as it is");
        assertEquals(RW_OWNER, Files.getPosixFilePermissions(shared.resolve("id.json")));
    }
}
