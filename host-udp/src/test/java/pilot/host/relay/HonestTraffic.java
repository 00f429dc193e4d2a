package pilot.host.relay;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;
import pilot.core.node.NodeEvent;
import pilot.host.daemon.HostDaemon;

/**
 * The honest Worker beside an attack: on a thread of its own, a logged-in {@link JavaWorker} pings a host
 * and streams {@code bytes} to its echo service and back. {@link #done} completes with the bytes that came
 * back intact, or exceptionally with what went wrong.
 */
final class HonestTraffic {
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final Thread thread;

    HonestTraffic(JavaWorker w, HostDaemon host, int bytes, long timeoutMillis) {
        thread = new Thread(() -> {
            try {
                done.complete(run(w, host, bytes, timeoutMillis));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "honest-worker");
        thread.setDaemon(true);
    }

    HonestTraffic start() {
        thread.start();
        return this;
    }

    private static int run(JavaWorker w, HostDaemon host, int bytes, long timeoutMillis) throws Exception {
        long end = System.currentTimeMillis() + timeoutMillis;
        int ping = w.node.ping(host.address(), w.now()).value();
        while (w.eventsOf(NodeEvent.Pong.class).stream().noneMatch(e -> e.ping() == ping)) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("no pong from the host");
            }
            w.pump(20);
        }
        byte[] data = new SeededEntropy(bytes).bytes(bytes);
        int s = w.node.openStream(host.address(), Ports.ECHO, w.now()).value();
        ByteArrayOutputStream back = new ByteArrayOutputStream(bytes);
        int off = 0;
        while (back.size() < data.length) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("stream stalled at " + back.size() + " of " + bytes + " bytes");
            }
            if (off < data.length) {
                var n = w.node.write(s, Arrays.copyOfRange(data, off, Math.min(data.length, off + 65536)), w.now());
                if (n.isOk()) {
                    off += n.value();
                }
            }
            var chunk = w.node.read(s, 1 << 20, w.now());
            if (chunk.isOk()) {
                back.write(chunk.value(), 0, chunk.value().length);
            }
            w.pump(2);
        }
        if (!Arrays.equals(data, back.toByteArray())) {
            throw new AssertionError("the echoed stream differs");
        }
        return back.size();
    }
}
