package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import pilot.host.identity.Identity;
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

    /** Everything the first stream to {@code host}'s port 1000 carries, once it ends. */
    static CompletableFuture<byte[]> receiveAll(HostDaemon host) throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        host.listen(1000, s -> CompletableFuture.runAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                s.input().transferTo(out);
                received.complete(out.toByteArray());
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        })).get(5, TimeUnit.SECONDS);
        return received;
    }

    /**
     * One large write is handed to the loop in place: the writing thread never copies the rest of the
     * array per send-buffer refill (which made a write of n bytes cost O(n²/buffer) copying).
     */
    @Test
    void aLargeWriteDoesNotCopyTheRestOfTheArrayPerRefill() throws Exception {
        HostDaemon[] p = pair();
        CompletableFuture<byte[]> received = receiveAll(p[1]);
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

    /**
     * A host bound to loopback reaches only peers on the same machine, where nothing fragments: its streams
     * send 4096-byte segments (one window unit), four times fewer datagrams than the 1024 of a networked host.
     */
    @Test
    void aHostBoundToLoopbackSendsWholeWindowUnitSegments() throws Exception {
        JceSuite suite = new JceSuite();
        Identity ia = Identity.generate(suite, new SeededEntropy(11)).withNode(0x100, 0);
        Identity ib = Identity.generate(suite, new SeededEntropy(12)).withNode(0x200, 0);
        ia.save(dir.resolve("a.json"));
        ib.save(dir.resolve("b.json"));
        ChaosProxy proxy = new ChaosProxy(7, 0, 0, 0);
        open.add(proxy);
        HostDaemon a = HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), null).withPeers(List.of(
                new HostConfig.StaticPeer(0x200, proxy.forA(), ib.publicKey(), null))));
        open.add(a);
        HostDaemon b = HostDaemon.start(HostConfig.loopback(dir.resolve("b.json"), null).withPeers(List.of(
                new HostConfig.StaticPeer(0x100, proxy.forB(), ia.publicKey(), null))));
        open.add(b);
        proxy.connect(a.localEndpoint(), b.localEndpoint());
        CompletableFuture<byte[]> received = receiveAll(b);
        byte[] data = new SeededEntropy(4).bytes(1 << 20);
        HostStream s = a.open(b.address(), 1000).get(20, TimeUnit.SECONDS);
        s.write(data);
        s.close();
        assertArrayEquals(data, received.get(30, TimeUnit.SECONDS));
        assertEquals(4096 + 36 + 34, proxy.largestFromA, "PILS frame (36) + packet header (34) + a 4096-byte segment");
    }

    @Test
    void onlyAHostBoundToLoopbackUsesTheLargerSegments() {
        HostConfig base = HostConfig.loopback(dir.resolve("a.json"), null);
        assertEquals(4096, HostDaemon.nodeConfig(base).stream().mss());
        assertEquals(4096, HostDaemon.nodeConfig(base.withBind(new InetSocketAddress("::1", 0))).stream().mss());
        assertEquals(1024, HostDaemon.nodeConfig(base.withBind(new InetSocketAddress("0.0.0.0", 0))).stream().mss(),
                "a host on a network keeps segments that fit one unfragmented datagram anywhere");
        assertEquals(1024, HostDaemon.nodeConfig(base.withBind(new InetSocketAddress("192.0.2.1", 0))).stream().mss());
    }

    /** A writer blocked on a peer that does not read learns at once that its own host closed, not after 120 s. */
    @Test
    void aBlockedWriteFailsWhenItsHostCloses() throws Exception {
        HostDaemon[] p = pair();
        p[1].listen(1000, s -> { }).get(5, TimeUnit.SECONDS); // accepts and never reads
        HostStream s = p[0].open(p[1].address(), 1000).get(10, TimeUnit.SECONDS);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                s.write(new byte[32 * 1024 * 1024]); // far beyond the send buffer, window and pipe
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(500);
        assertTrue(!writing.isDone(), "the write is blocked");
        long t = System.nanoTime();
        p[0].close();
        var failure = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> writing.get(10, TimeUnit.SECONDS));
        assertTrue(failure.getCause().getMessage().contains("closed"), failure.getCause().getMessage());
        assertTrue(System.nanoTime() - t < 5_000_000_000L, "failed within the close, not after a timeout");
    }
}
