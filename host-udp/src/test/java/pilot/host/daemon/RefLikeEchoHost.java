package pilot.host.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import pilot.core.envelope.WireProfile;
import pilot.core.stream.CloseMode;

/**
 * A JVM host whose services behave like the reference daemons where that broke our peers (spec G.6,
 * docs/INTEROP.md), written from the spec's description: for the worker-shim tests (started by
 * test/global-setup.mjs) and the JVM tests.
 * <ul>
 *   <li>port 7, echo: an incoming FIN closes <em>both</em> directions (echo not yet written is dropped);
 *       the echo writes 1,024-byte chunks; while its receive queue ({@link #QUEUE_CHUNKS} chunks) is
 *       full it blocks the host's event loop, up to 1 s at a time, as the reference loop does;</li>
 *   <li>port {@link #RESET_PORT}: echoes {@link #RESET_AFTER} bytes, then resets the stream (RST).</li>
 * </ul>
 */
public final class RefLikeEchoHost implements AutoCloseable {
    static final int CHUNK = 1024;
    static final int QUEUE_CHUNKS = 512;
    public static final int RESET_PORT = 9;
    public static final int RESET_AFTER = 200_000;

    private final HostDaemon daemon;
    /** Times the loop was blocked on a full receive queue (the flood a paced sender never causes). */
    public final AtomicLong loopBlocks = new AtomicLong();

    public RefLikeEchoHost(Path identity, InetSocketAddress registry) throws Exception {
        daemon = HostDaemon.start(new HostConfig(new InetSocketAddress("127.0.0.1", 0), identity, registry,
                WireProfile.MODERN, false, true, java.util.List.of()));
        daemon.listen(7, s -> thread(() -> echo(s))).get(5, TimeUnit.SECONDS);
        daemon.listen(RESET_PORT, s -> thread(() -> resetMidReply(s))).get(5, TimeUnit.SECONDS);
    }

    public HostDaemon daemon() {
        return daemon;
    }

    private void echo(HostStream s) {
        BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
        Thread writer = thread(() -> {
            try {
                for (byte[] b = queue.take(); b.length > 0; b = queue.take()) {
                    s.write(b);
                }
            } catch (Exception e) {
                // the stream ended
            }
        });
        try (InputStream in = s.input()) {
            s.setReadTimeout(120_000);
            byte[] buf = new byte[CHUNK];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                if (!queue.offer(chunk)) {
                    loopBlocks.incrementAndGet();
                    // the reference loop stops while it cannot deliver into the full queue
                    daemon.submit(() -> {
                        try {
                            queue.offer(chunk, 1, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
            }
            // the peer's FIN: the reference closes both directions, dropping what is not echoed yet
            queue.clear();
            writer.interrupt();
            s.close(CloseMode.FULL);
        } catch (IOException e) {
            writer.interrupt();
        }
    }

    private void resetMidReply(HostStream s) {
        try (InputStream in = s.input()) {
            long echoed = 0;
            byte[] buf = new byte[CHUNK];
            for (int n = in.read(buf); n > 0 && echoed < RESET_AFTER; n = in.read(buf)) {
                s.write(java.util.Arrays.copyOf(buf, n));
                echoed += n;
            }
            Thread.sleep(200); // let the echoed bytes arrive, so the reset comes mid-reply
            s.abort();
        } catch (Exception e) {
            s.abort();
        }
    }

    private static Thread thread(Runnable r) {
        Thread t = new Thread(r, "ref-like-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        daemon.close();
    }

    /** {@code RefLikeEchoHost IDENTITY REGISTRY_HOST:PORT}: runs until killed; prints the address line the tests wait for. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        pilot.core.edge.HostPort r = pilot.core.edge.HostPort.parse(args[1], pilot.core.edge.HostPort.Rule.NAME).value();
        InetSocketAddress registry = new InetSocketAddress(r.host(), r.port());
        RefLikeEchoHost h = new RefLikeEchoHost(Path.of(args[0]), registry);
        System.out.printf("ref-like host %s on udp %s%n", h.daemon.address(), h.daemon.localEndpoint());
        System.out.flush();
        Thread.currentThread().join();
    }
}
