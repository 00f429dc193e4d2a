package pilot.host.relay;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.daemon.HostStream;

/**
 * The stream benchmark of one path (a benchmark, not a test; run by {@code scripts/bench-worker.sh} through
 * {@code worker-shim/scripts/demo.mjs --bench}), in three directions: upload (client to host, the host
 * answers with the count), download (the host sends what the client asked for) and echo (port 7, paced
 * the way every client paces an echo). Loopback only.
 *
 * <pre>
 *   serve   REGISTRY IDENTITY             a host serving echo (7), SINK_PORT and SOURCE_PORT; prints its address
 *   clients REGISTRY RELAY-PORT HOST MIB  the same three transfers from a host of our own (direct UDP) and from a
 *                                         JavaWorker through the relay; one line per figure:
 *                                         {@code path direction MB/s}
 * </pre>
 */
public final class RelayStreamBench {
    /** Reads to the end, then answers with the byte count (decimal text) and closes. */
    public static final int SINK_PORT = 1001;
    /** Reads a decimal byte count to the end of the request, then sends that many bytes and closes. */
    public static final int SOURCE_PORT = 1002;

    private RelayStreamBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            serve(hostPort(args[1]), Path.of(args[2]));
        } else if (args.length == 5 && args[0].equals("clients")) {
            clients(hostPort(args[1]), Integer.parseInt(args[2]), Address.parse(args[3]).value(), Integer.parseInt(args[4]) << 20);
        } else {
            System.err.println("usage: serve REGISTRY IDENTITY | clients REGISTRY RELAY-PORT HOST-ADDRESS MIB");
            System.exit(2);
        }
    }

    private static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    private static void serve(InetSocketAddress registry, Path identity) throws Exception {
        HostDaemon d = HostDaemon.start(HostConfig.loopback(identity, registry));
        d.listen(SINK_PORT, s -> spawn(() -> {
            try (s) {
                long n = s.input().transferTo(OutputSink.INSTANCE);
                s.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
                s.close(CloseMode.FULL);
            } catch (IOException e) {
                s.abort();
            }
        })).get(10, TimeUnit.SECONDS);
        d.listen(SOURCE_PORT, s -> spawn(() -> {
            try (s) {
                long n = Long.parseLong(new String(s.input().readAllBytes(), StandardCharsets.US_ASCII).trim());
                byte[] chunk = new SeededEntropy(7).bytes(1 << 20);
                for (long sent = 0; sent < n; sent += chunk.length) {
                    s.write(chunk, 0, (int) Math.min(chunk.length, n - sent));
                }
                s.close(CloseMode.FULL);
            } catch (IOException | NumberFormatException e) {
                s.abort();
            }
        })).get(10, TimeUnit.SECONDS);
        System.out.println("bench host " + d.address() + " on udp " + d.localEndpoint());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The three transfers from a plain host, then from a JavaWorker through the relay. */
    private static void clients(InetSocketAddress registry, int relayPort, Address host, int bytes) throws Exception {
        byte[] data = new SeededEntropy(bytes).bytes(bytes);
        Path dir = Files.createTempDirectory("pilot-bench-");
        try (HostDaemon d = HostDaemon.start(HostConfig.loopback(dir.resolve("client.json"), registry))) {
            d.ping(host).get(30, TimeUnit.SECONDS);
            timeHost(d, host, SINK_PORT, Arrays.copyOf(data, 2 << 20), CloseMode.HALF, Long.toString(2 << 20).length()); // JIT warm-up
            timeHost(d, host, SOURCE_PORT, Long.toString(2 << 20).getBytes(StandardCharsets.US_ASCII), CloseMode.HALF, 2 << 20);
            print("host", "upload", bytes, timeHost(d, host, SINK_PORT, data, CloseMode.HALF, Long.toString(bytes).length()));
            print("host", "download", bytes, timeHost(d, host, SOURCE_PORT, Long.toString(bytes).getBytes(StandardCharsets.US_ASCII), CloseMode.HALF, bytes));
            print("host", "echo", bytes, timeHost(d, host, Ports.ECHO, data, CloseMode.AFTER_REPLY, bytes));
        }
        try (JavaWorker w = new JavaWorker(new InetSocketAddress("127.0.0.1", relayPort), System.nanoTime())) {
            w.login();
            w.join();
            int ping = w.node.ping(host, w.now()).value();
            long end = System.currentTimeMillis() + 30_000;
            while (w.eventsOf(pilot.core.node.NodeEvent.Pong.class).stream().noneMatch(e -> e.ping() == ping)) {
                if (System.currentTimeMillis() > end) {
                    throw new IllegalStateException("no pong from the host through the relay");
                }
                w.pump(20);
            }
            timeWorker(w, host, SINK_PORT, Arrays.copyOf(data, 2 << 20), CloseMode.HALF, Long.toString(2 << 20).length()); // warm-up
            timeWorker(w, host, SOURCE_PORT, Long.toString(2 << 20).getBytes(StandardCharsets.US_ASCII), CloseMode.HALF, 2 << 20);
            print("javaworker", "upload", bytes, timeWorker(w, host, SINK_PORT, data, CloseMode.HALF, Long.toString(bytes).length()));
            print("javaworker", "download", bytes, timeWorker(w, host, SOURCE_PORT, Long.toString(bytes).getBytes(StandardCharsets.US_ASCII), CloseMode.HALF, bytes));
            print("javaworker", "echo", bytes, timeWorker(w, host, Ports.ECHO, data, CloseMode.AFTER_REPLY, bytes));
        }
    }

    private static void print(String path, String direction, int bytes, double seconds) {
        System.out.printf("%s %s %.2f%n", path, direction, bytes / seconds / 1e6);
        System.out.flush();
    }

    /** Seconds from opening the stream until {@code expect} reply bytes arrived and the host closed. */
    private static double timeHost(HostDaemon d, Address host, int port, byte[] request, CloseMode mode, int expect) throws Exception {
        long t0 = System.nanoTime();
        HostStream s = d.open(host, port).get(30, TimeUnit.SECONDS);
        s.setReadTimeout(30_000);
        if (mode == CloseMode.AFTER_REPLY) {
            s.expectReply(ReplyPolicy.echo());
        }
        long[] got = new long[1];
        IOException[] failed = new IOException[1];
        Thread reader = new Thread(() -> {
            try (InputStream in = s.input()) {
                got[0] = in.transferTo(OutputSink.INSTANCE);
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        reader.start();
        for (int at = 0; at < request.length; at += 1 << 20) {
            s.write(request, at, Math.min(1 << 20, request.length - at));
        }
        s.close(mode);
        reader.join();
        if (failed[0] != null || got[0] != expect) {
            throw new IllegalStateException("host " + port + ": " + got[0] + " of " + expect + " bytes back", failed[0]);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The same through the relay: the JavaWorker's node driven on this thread, as a Worker drives its node. */
    private static double timeWorker(JavaWorker w, Address host, int port, byte[] request, CloseMode mode, int expect) throws Exception {
        long t0 = System.nanoTime();
        int s = w.node.openStream(host, port, w.now()).value();
        if (mode == CloseMode.AFTER_REPLY) {
            w.node.expectReply(s, ReplyPolicy.echo(), w.now());
        }
        long end = System.currentTimeMillis() + 120_000;
        int off = 0;
        boolean closed = false;
        long back = 0;
        while (!w.node.atEof(s) || back < expect) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("javaworker " + port + ": stalled at " + back + " of " + expect + " bytes back");
            }
            if (off < request.length) {
                var n = w.node.write(s, request, off, Math.min(request.length - off, 1 << 16), w.now());
                if (n.isOk()) {
                    off += n.value();
                }
            } else if (!closed) {
                w.node.closeStream(s, mode, w.now());
                closed = true;
            }
            var chunk = w.node.read(s, 1 << 20, w.now());
            if (chunk.isOk()) {
                back += chunk.value().length;
            } else {
                throw new IllegalStateException("javaworker " + port + ": " + chunk.error() + " at " + back + " of " + expect);
            }
            w.pump(1);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void spawn(Runnable r) {
        Thread t = new Thread(r, "bench-service");
        t.setDaemon(true);
        t.start();
    }

    /** Counts and forgets. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
