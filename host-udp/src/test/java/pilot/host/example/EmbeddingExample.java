package pilot.host.example;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import pilot.core.node.NodeEvent;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.daemon.HostStream;

/**
 * The README's embedding example, compiled and run by the build ({@code EmbeddingExampleTest}); the
 * lines between the markers are the ones the README shows, and the test checks that they match.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    /** Runs the example; it prints one line to {@code out} (System.out in the README). */
    public static void run(InetSocketAddress registry, Path dir, PrintStream out) throws Exception {
        // README:begin
        // two peers on loopback, registered with a registry (e.g. `pilot-host registry --listen 127.0.0.1:9000`)
        try (HostDaemon alice = HostDaemon.start(HostConfig.loopback(dir.resolve("alice.json"), registry));
             HostDaemon bob = HostDaemon.start(HostConfig.loopback(dir.resolve("bob.json"), registry))) {
            // events: sessions, streams, datagrams, pongs; delivered on bob's event loop, so return quickly
            List<NodeEvent.Kind> seen = new CopyOnWriteArrayList<>();
            bob.onEvent(e -> seen.add(e.kind()));

            // ping: the first one includes the PILA handshake (keys from the registry)
            long rtt = alice.ping(bob.address()).get(10, SECONDS);

            // a stream service on bob's port 1000: reads the request to its end, answers, closes
            bob.listen(1000, (HostStream s) -> new Thread(() -> {
                try (s) {
                    String request = new String(s.input().readAllBytes(), StandardCharsets.UTF_8);
                    s.write(("hello, " + request).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    s.abort();
                }
            }).start()).get(5, SECONDS);
            HostStream stream = alice.open(bob.address(), 1000).get(10, SECONDS);
            stream.write("alice".getBytes(StandardCharsets.UTF_8));
            stream.close(); // half-close: bob reads to the end, we still read his answer
            String reply = new String(stream.input().readAllBytes(), StandardCharsets.UTF_8);

            // datagrams: unreliable, unordered, on their own ports
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            bob.onDatagram(2000, e -> got.complete(e.data())).get(5, SECONDS);
            alice.sendDatagram(bob.address(), 2000, "one datagram".getBytes(StandardCharsets.UTF_8)).get(5, SECONDS);
            String datagram = new String(got.get(10, SECONDS), StandardCharsets.UTF_8);
            out.printf("ping %d ms; reply '%s'; datagram '%s'; bob saw %s%n", rtt, reply, datagram, seen);
        }
        // README:end
    }
}
