package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.SeededEntropy;
import pilot.host.crypto.JceSuite;
import pilot.host.registry.RegistryServer;

/** The application side of a host stream: what {@link HostStream#write} costs the writing thread. */
class HostStreamTest {
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new java.util.ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Two hosts on loopback that find each other through a registry. */
    HostDaemon[] pair() throws Exception {
        RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new JceSuite(), null);
        open.add(registry);
        HostDaemon a = HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), registry.address()));
        open.add(a);
        HostDaemon b = HostDaemon.start(HostConfig.loopback(dir.resolve("b.json"), registry.address()));
        open.add(b);
        return new HostDaemon[] {a, b};
    }

    /**
     * One large write is handed to the loop in place: the writing thread never copies the rest of the
     * array per send-buffer refill (which made a write of n bytes cost O(n²/buffer) copying).
     */
    @Test
    void aLargeWriteDoesNotCopyTheRestOfTheArrayPerRefill() throws Exception {
        HostDaemon[] p = pair();
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        p[1].listen(1000, s -> CompletableFuture.runAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                s.input().transferTo(out);
                received.complete(out.toByteArray());
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        })).get(5, TimeUnit.SECONDS);
        byte[] data = new SeededEntropy(3).bytes(16 * 1024 * 1024);
        HostStream s = p[0].open(p[1].address(), 1000).get(10, TimeUnit.SECONDS);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        s.write(data);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        s.close();
        byte[] got = received.get(60, TimeUnit.SECONDS);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), MessageDigest.getInstance("SHA-256").digest(got));
        // the write hands the caller's array to the loop; what the caller allocates is bookkeeping only
        assertTrue(allocated < data.length / 4, "the writing thread allocated " + allocated + " B for a "
                + data.length + " B write");
    }
}
