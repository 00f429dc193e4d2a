package pilot.host.daemon;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import pilot.core.addr.Address;
import pilot.core.envelope.WireProfile;
import pilot.core.stream.CloseMode;

/**
 * A JVM host a Node test drives line by line on stdin (worker-shim/test/dialin.node.mjs): the long-lived
 * peer whose sessions with a Worker must survive the Worker's eviction. Commands, one answer line each:
 * <ul>
 *   <li>{@code ping ADDRESS} → {@code pong MILLIS} or {@code fail REASON};</li>
 *   <li>{@code echo ADDRESS BYTES} → {@code echo OK|MISMATCH N} after a stream to port 7 echoed BYTES bytes;</li>
 *   <li>{@code stats} → {@code stats sessions=N half_open=N packets_in=N packets_out=N}.</li>
 * </ul>
 */
public final class ScriptedHost {
    private ScriptedHost() {
    }

    /** {@code ScriptedHost IDENTITY REGISTRY_HOST:PORT}: prints {@code scripted host ADDRESS on udp ENDPOINT}, then serves stdin. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        pilot.core.edge.HostPort r = pilot.core.edge.HostPort.parse(args[1], pilot.core.edge.HostPort.Rule.NAME).value();
        InetSocketAddress registry = new InetSocketAddress(r.host(), r.port());
        HostDaemon d = HostDaemon.start(new HostConfig(new InetSocketAddress("127.0.0.1", 0), Path.of(args[0]), registry,
                WireProfile.MODERN, true, true, java.util.List.of()));
        System.out.printf("scripted host %s on udp %s%n", d.address(), d.localEndpoint());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.trim().split("\\s+");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "ping" -> "pong " + d.ping(Address.parse(w[1]).value()).get(10, TimeUnit.SECONDS);
                    case "echo" -> echo(d, Address.parse(w[1]).value(), Integer.parseInt(w[2]));
                    case "stats" -> {
                        HostStats s = d.snapshot().get(5, TimeUnit.SECONDS);
                        yield "stats sessions=" + s.sessions() + " half_open=" + s.halfOpen() + " packets_in=" + s.packetsIn()
                                + " packets_out=" + s.packetsOut();
                    }
                    default -> "fail unknown command " + w[0];
                };
            } catch (Exception e) {
                answer = "fail " + e;
            }
            System.out.println(answer);
            System.out.flush();
        }
        d.close();
    }

    private static String echo(HostDaemon d, Address peer, int n) throws Exception {
        HostStream s = d.open(peer, 7).get(10, TimeUnit.SECONDS);
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        s.setReadTimeout(10_000);
        s.write(data);
        byte[] got = new byte[n];
        int at = 0;
        try (InputStream input = s.input()) {
            while (at < n) {
                int r = input.read(got, at, n - at);
                if (r < 0) {
                    break;
                }
                at += r;
            }
        }
        s.close(CloseMode.FULL);
        return "echo " + (at == n && Arrays.equals(data, got) ? "OK" : "MISMATCH") + " " + at;
    }
}
