package pilot.host.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file replacement: write a temporary file beside the target, fsync it, rename it over the
 * target in one step, fsync the directory. A kill at any moment leaves either the old file or the new
 * one, never a torn mix. The files hold private keys, so they are owner-only (0600) from the first
 * byte: the temporary file is created with that mode (not created with the umask and tightened after,
 * which leaves a window in which another local user can open it), and directories we create are 0700.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, content, tmp -> {
        });
    }

    /** {@link #write(Path, byte[])}, telling {@code onCreated} the temporary file before any byte is written (tests). */
    static void write(Path target, byte[] content, Consumer<Path> onCreated) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        ensureDirectory(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        Files.deleteIfExists(tmp); // left by a crash of an earlier process with our pid
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(OWNER_ONLY_FILE))) {
            onCreated.accept(tmp);
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("the file system cannot replace " + target + " atomically", e);
        }
        syncDirectory(dir);
    }

    /** Creates missing directories owner-only (0700); warns about an existing one that others can read. */
    static void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            if (exposed(dir)) {
                LOG.warn("{} can be read by other users (mode {}); keys are written there: chmod 700 it", dir,
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            }
            return;
        }
        Files.createDirectories(dir, ownerOnly(OWNER_ONLY_DIR));
    }

    /** Warns when a file that holds a private key can be read by other users (an earlier copy or chmod widened it). */
    static void warnIfExposed(Path file) throws IOException {
        if (exposed(file)) {
            LOG.warn("{} holds a private key and can be read by other users (mode {}): chmod 600 it", file,
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    /** Whether group or others have any access to {@code dir} (false where there are no POSIX permissions). */
    static boolean exposed(Path dir) throws IOException {
        if (!posix()) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
        return !OWNER_ONLY_DIR.containsAll(p);
    }

    private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> perms) {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms cannot open a directory; the rename itself is still atomic
        }
    }
}
