package pilot.host.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.json.Json;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryServer;

/**
 * Relay soak (scripts/bench-relay-soak.sh; a benchmark, not a test): a relay in a JVM of its own, and
 * beside it an honest Worker streaming through a host's echo service while {@code --connections}
 * hostile connections churn (close after the challenge, a frame header claiming 256 MiB, throwaway
 * logins kept alive with text, half-open upgrades, endless upgrade headers) and a UDP blaster sends
 * non-Pilot and fake PILS datagrams to the Worker's endpoint. Prints the relay's peak and final RSS and
 * the honest throughput, as Markdown table rows.
 *
 * <p>Arguments: {@code --relay-cp CLASSPATH} (the relay under test: this tree's or an older build's),
 * {@code --label TEXT}, {@code --connections N} (10000), {@code --threads N} (32), {@code --heap SIZE} (512m).
 */
public final class RelaySoak {
    private RelaySoak() {
    }

    public static void main(String[] args) throws Exception {
        String relayCp = null;
        String label = "this tree";
        int connections = 10_000;
        int threads = 32;
        String heap = "512m";
        for (int i = 0; i < args.length - 1; i += 2) {
            switch (args[i]) {
                case "--relay-cp" -> relayCp = args[i + 1];
                case "--label" -> label = args[i + 1];
                case "--connections" -> connections = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                case "--heap" -> heap = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (relayCp == null) {
            throw new IllegalArgumentException("--relay-cp is required");
        }
        Path dir = Files.createTempDirectory("relay-soak");
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()))) {
            int port;
            try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process relay = new ProcessBuilder("java", "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-cp", relayCp, "pilot.host.cli.PilotCli", "relay", "--listen", "127.0.0.1:" + port,
                    "--registry", "127.0.0.1:" + registry.address().getPort())
                    .redirectErrorStream(true).start();
            try {
                run(label, relay, port, host, connections, threads);
            } finally {
                relay.destroy();
                relay.waitFor(5, TimeUnit.SECONDS);
                relay.destroyForcibly();
            }
        }
    }

    private static void run(String label, Process relay, int port, HostDaemon host, int connections, int threads)
            throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("relay on")) {
            System.err.println("relay: " + line);
        }
        StringBuilder relayLog = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    synchronized (relayLog) {
                        if (relayLog.length() < 20_000) {
                            relayLog.append(l).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // relay gone
            }
        }, "relay-log");
        drain.setDaemon(true);
        drain.start();
        long pid = relay.pid();
        InetSocketAddress relayAddr = new InetSocketAddress("127.0.0.1", port);

        JavaWorker honest = new JavaWorker(relayAddr, 1);
        honest.login();
        honest.join();
        long rssStart = rss(pid, "VmRSS");

        long q0 = System.nanoTime();
        int quietBytes = new HonestTraffic(honest, host, 10 << 20, 60_000).start().done.get(70, TimeUnit.SECONDS);
        double quiet = quietBytes / ((System.nanoTime() - q0) / 1e9) / 1e6;
        AtomicLong honestBytes = new AtomicLong();
        AtomicLong honestNanos = new AtomicLong();
        AtomicInteger honestFailures = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long[] peak = {rssStart};
        long t0 = System.nanoTime();
        CompletableFuture<Void> honestLoop = CompletableFuture.runAsync(() -> {
            while (done.get() < connections) {
                try {
                    long h0 = System.nanoTime();
                    honestBytes.addAndGet(new HonestTraffic(honest, host, 4 << 20, 60_000).start().done.get(70, TimeUnit.SECONDS));
                    honestNanos.addAndGet(System.nanoTime() - h0);
                } catch (Exception e) {
                    honestFailures.incrementAndGet();
                    System.err.println("honest transfer failed: " + e);
                    if (honestFailures.get() > 3) {
                        return;
                    }
                }
            }
        });
        InetSocketAddress workerEp = RelayAttackTest.endpointOf(honest);
        Thread blaster = new Thread(() -> blast(workerEp, done, connections), "udp-blaster");
        blaster.setDaemon(true);
        blaster.start();
        List<Thread> churners = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < connections; i = next.getAndIncrement()) {
                    try {
                        if (!hostile(port, i)) {
                            refused.incrementAndGet();
                        }
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                    done.incrementAndGet();
                }
            }, "churn-" + t);
            th.setDaemon(true);
            th.start();
            churners.add(th);
        }
        while (done.get() < connections && relay.isAlive()) {
            Thread.sleep(500);
            peak[0] = Math.max(peak[0], rss(pid, "VmRSS"));
        }
        for (Thread th : churners) {
            th.join(30_000);
        }
        double churnSecs = (System.nanoTime() - t0) / 1e9;
        try {
            honestLoop.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            honestFailures.incrementAndGet();
        }
        long hwm = rss(pid, "VmHWM");
        long rssEnd = rss(pid, "VmRSS");
        // after the churn: does the relay still take a new Worker?
        String late;
        try (JavaWorker w = new JavaWorker(relayAddr, 2)) {
            late = String.valueOf(w.login().get("type"));
        } catch (Exception e) {
            late = "failed: " + e.getMessage();
        }
        System.out.printf("| %s | %,d in %.0f s (%,d refused or cut) | %d MiB | %d MiB | %d MiB | %.1f MB/s | %.1f MB/s (%d MiB, %d failed) | %s |%n",
                label, connections, churnSecs, refused.get(), rssStart >> 10, Math.max(hwm, peak[0]) >> 10, rssEnd >> 10,
                quiet, honestBytes.get() / Math.max(1e-9, honestNanos.get() / 1e9) / 1e6, honestBytes.get() >> 20,
                honestFailures.get(), late);
        boolean oom;
        synchronized (relayLog) {
            oom = relayLog.indexOf("OutOfMemoryError") >= 0;
        }
        if (oom) {
            System.out.println("(the relay logged OutOfMemoryError)");
        }
        honest.close();
    }

    /** One hostile connection; false when the relay refused or cut it before we were done. */
    private static boolean hostile(int port, int i) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(2000);
            OutputStream o = s.getOutputStream();
            String req = RawWebSocket.upgradeRequest(port);
            switch (i % 5) {
                case 3 -> { // half-open upgrade, held
                    o.write(req.substring(0, 40).getBytes(StandardCharsets.US_ASCII));
                    sleep(100);
                    return true;
                }
                case 4 -> { // endless upgrade headers
                    o.write(req.substring(0, req.length() - 2).getBytes(StandardCharsets.US_ASCII));
                    byte[] filler = ("X-F: " + "a".repeat(4000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    for (int k = 0; k < 64; k++) {
                        o.write(filler);
                    }
                    return true;
                }
                default -> {
                }
            }
            o.write(req.getBytes(StandardCharsets.US_ASCII));
            var in = s.getInputStream();
            int matched = 0;
            while (matched < 4) { // the end of the response head
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            RawWebSocket.Frame challenge = readFrame(in);
            if (challenge == null || challenge.opcode() != 1) {
                return false;
            }
            switch (i % 5) {
                case 1 -> { // a frame header claiming 256 MiB
                    o.write(RawWebSocket.frameHeader(2, 256L << 20));
                    o.write(new byte[64]);
                    sleep(100);
                }
                case 2 -> { // throwaway login with a fresh key, kept alive with text
                    Map<String, Object> c = Json.parseObject(new String(challenge.payload(), StandardCharsets.UTF_8)).value();
                    SigningKey k = new BouncyCastleSuite().ed25519(new SeededEntropy(1_000_000L + i).bytes(32));
                    String kb = Base64.getEncoder().encodeToString(k.publicKey());
                    String sig = Base64.getEncoder().encodeToString(k.sign(RelayProtocol.challengeBytes((String) c.get("nonce"), kb)));
                    text(o, Json.write(Map.of("type", "auth_reply", "public_key", kb, "sig", sig)));
                    sleep(50);
                    text(o, "{\"type\":\"keepalive\"}");
                    sleep(50);
                }
                default -> {
                }
            }
            return true;
        }
    }

    private static RawWebSocket.Frame readFrame(java.io.InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            return null;
        }
        int len = b1 & 0x7F;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        } else if (len == 127) {
            return null;
        }
        return new RawWebSocket.Frame(b0 & 0x0F, in.readNBytes(len));
    }

    private static void text(OutputStream o, String s) throws IOException {
        byte[] p = s.getBytes(StandardCharsets.UTF_8);
        byte[] h = p.length < 126 ? new byte[] {(byte) 0x81, (byte) (0x80 | p.length), 0, 0, 0, 0}
                : new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (p.length >> 8), (byte) p.length, 0, 0, 0, 0};
        o.write(h);
        o.write(p); // mask key 0
    }

    /** Non-Pilot and fake PILS datagrams to the honest Worker's endpoint from changing ports, ~2,000 a second. */
    private static void blast(InetSocketAddress to, AtomicInteger done, int until) {
        byte[] junk = {1};
        byte[] fake = "PILS0000nonce-nonce-ciphertext-and-tag-0000".getBytes(StandardCharsets.US_ASCII);
        int n = 0;
        while (done.get() < until) {
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                for (int i = 0; i < 20; i++) {
                    d.send(new DatagramPacket((n++ & 1) == 0 ? junk : fake, (n & 1) == 0 ? fake.length : 1, to));
                }
            } catch (IOException e) {
                // keep going
            }
            sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** kB of the process's VmRSS or VmHWM (peak). */
    static long rss(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
