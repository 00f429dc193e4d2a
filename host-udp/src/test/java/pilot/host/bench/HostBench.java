package pilot.host.bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;
import pilot.host.crypto.JceSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.daemon.HostStream;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;
import pilot.host.relay.JavaWorker;
import pilot.host.relay.RelayLimits;
import pilot.host.relay.RelayProtocol;
import pilot.host.relay.RelayServer;

/** Host figures for docs/BENCHMARKS.md: run with scripts/bench-host.sh. */
public final class HostBench {
    private HostBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length > 0 && args[0].equals("stream")) {
            streamVsRawUdp(args.length > 1 ? Integer.parseInt(args[1]) : 100, args.length > 2 ? Integer.parseInt(args[2]) : 3,
                    args.length > 3 && args[3].equals("pause"));
            return;
        }
        envelopeVsRawJce();
        if (args.length > 0 && args[0].equals("crypto")) {
            return;
        }
        sealOpen("Bouncy Castle", new BouncyCastleSuite());
        sealOpen("JCE (AES-NI)", new JceSuite());
        Path dir = Files.createTempDirectory("pilot-bench");
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new JceSuite(), null);
             HostDaemon a = HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), registry.address()));
             HostDaemon b = HostDaemon.start(HostConfig.loopback(dir.resolve("b.json"), registry.address()))) {
            a.ping(b.address()).get(10, TimeUnit.SECONDS);
            long[] rtts = new long[200];
            for (int i = 0; i < rtts.length; i++) {
                long t = System.nanoTime();
                a.ping(b.address()).get(5, TimeUnit.SECONDS);
                rtts[i] = System.nanoTime() - t;
            }
            Arrays.sort(rtts);
            System.out.printf("| host -> host control ping on loopback | %.3f ms median, %.3f ms p99 | 200 pings, wall time |%n",
                    rtts[100] / 1e6, rtts[197] / 1e6);
            stream(a, b);
            relay(registry, a);
        }
    }

    static void sealOpen(String name, CryptoSuite suite) {
        byte[] key = new SeededEntropy(1).bytes(32);
        Session tx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[] {1, 2, 3, 4}, 0);
        Session rx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[4], 0);
        byte[] packet = PacketCodec.encode(new Packet(Packet.ACK, 1, new Address(0, 1), new Address(0, 2), 1, 2, 3, 4, 5,
                new SeededEntropy(2).bytes(1200 - 34)));
        for (int i = 0; i < 50_000; i++) {
            Envelope.open(rx, (SealedFrame) FrameCodec.decode(Envelope.seal(tx, 1, packet)).value());
        }
        int n = 200_000;
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Envelope.open(rx, (SealedFrame) FrameCodec.decode(Envelope.seal(tx, 1, packet)).value());
        }
        double s = (System.nanoTime() - t) / 1e9;
        System.out.printf("| host seal + open, 1,200-byte packet, %s | %,.0f /s | %d ops, one core |%n", name, n / s, n);
    }

    /**
     * The envelope with JCE against a raw JCE AES-256-GCM seal + open of the same 1,200 bytes in the same
     * JVM, alternating in rounds (the ratio: what the protocol costs on top of the cipher).
     */
    static void envelopeVsRawJce() throws Exception {
        JceSuite suite = new JceSuite();
        byte[] key = new SeededEntropy(1).bytes(32);
        Session tx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[] {1, 2, 3, 4}, 0);
        Session rx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[4], 0);
        byte[] packet = PacketCodec.encode(new Packet(Packet.ACK, 1, new Address(0, 1), new Address(0, 2), 1, 2, 3, 4, 5,
                new SeededEntropy(2).bytes(1200 - 34)));
        javax.crypto.Cipher enc = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        javax.crypto.Cipher dec = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        javax.crypto.spec.SecretKeySpec k = new javax.crypto.spec.SecretKeySpec(key, "AES");
        byte[] aad = {0, 0, 0, 1};
        byte[] nonce = new byte[12];
        long[] counter = {0};
        Runnable envelope = () -> {
            if (!Envelope.open(rx, (SealedFrame) FrameCodec.decode(Envelope.seal(tx, 1, packet)).value()).isOk()) {
                throw new IllegalStateException("open failed");
            }
        };
        Runnable raw = () -> {
            try {
                pilot.core.wire.Bytes.put64(nonce, 4, ++counter[0]);
                enc.init(javax.crypto.Cipher.ENCRYPT_MODE, k, new javax.crypto.spec.GCMParameterSpec(128, nonce));
                enc.updateAAD(aad);
                byte[] ct = enc.doFinal(packet);
                dec.init(javax.crypto.Cipher.DECRYPT_MODE, k, new javax.crypto.spec.GCMParameterSpec(128, nonce));
                dec.updateAAD(aad);
                dec.doFinal(ct);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        };
        System.out.printf("| bytes allocated per seal + open: envelope / raw JCE | %,d / %,d | this thread, after warm-up |%n",
                allocatedPerOp(envelope), allocatedPerOp(raw));
        int n = 100_000;
        double[] env = new double[9];
        double[] jce = new double[9];
        for (int i = 0; i < 2; i++) { // warm-up
            rate(envelope, n);
            rate(raw, n);
        }
        for (int r = 0; r < env.length; r++) {
            env[r] = rate(envelope, n);
            jce[r] = rate(raw, n);
        }
        double worst = Double.MAX_VALUE;
        for (int r = 0; r < env.length; r++) {
            worst = Math.min(worst, env[r] / jce[r]); // each round against the raw round right after it
        }
        Arrays.sort(env);
        Arrays.sort(jce);
        System.out.printf("| envelope seal + open (JCE), 1,200-byte packet | %,.0f /s | median of 9 rounds of %,d, per CPU-second of the thread |%n", env[4], n);
        System.out.printf("| raw JCE AES-256-GCM seal + open, 1,200 bytes | %,.0f /s | same JVM, alternating rounds |%n", jce[4]);
        System.out.printf("| envelope / raw JCE | %.2f (lowest single round %.2f) | |%n", env[4] / jce[4], worst);
    }

    /** Heap bytes this thread allocates per call of {@code op} (after a warm-up, so the JIT's escape analysis counts). */
    private static long allocatedPerOp(Runnable op) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) {
            op.run();
        }
        int n = 20_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / n;
    }

    /**
     * Operations per second of this thread's CPU time, not of wall time: on a machine shared with other
     * builds the wall clock also counts the time the scheduler gave to them, and the ratio of two rounds
     * then measures the load, not the code.
     */
    private static double rate(Runnable op, int n) {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        return n / ((threads.getCurrentThreadCpuTime() - t) / 1e9);
    }

    static void stream(HostDaemon a, HostDaemon b) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        b.listen(1000, s -> CompletableFuture.runAsync(() -> {
            try (InputStream in = s.input()) {
                done.complete(in.transferTo(java.io.OutputStream.nullOutputStream()));
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        })).get(5, TimeUnit.SECONDS);
        byte[] chunk = new byte[256 * 1024];
        int total = 64 * 1024 * 1024;
        HostStream s = a.open(b.address(), 1000).get(10, TimeUnit.SECONDS);
        long t = System.nanoTime();
        for (int sent = 0; sent < total; sent += chunk.length) {
            s.write(chunk);
        }
        s.close();
        long got = done.get(120, TimeUnit.SECONDS);
        double secs = (System.nanoTime() - t) / 1e9;
        System.out.printf("| host -> host stream on loopback | %.1f MB/s | %d MiB, JCE suite, MSS 1024 |%n", got / secs / 1e6, total >> 20);
    }

    /**
     * Host → host stream (the embedding API a user's program calls: {@link HostStream#write}, the peer's
     * {@code input()}) against raw UDP between two sockets of the same JVM carrying the same bytes in
     * datagrams of a full 1024-byte segment's size: what the protocol, crypto and threads cost on top of
     * the kernel's loopback. Rounds alternate so both see the same load.
     */
    /** The segment size of two hosts bound to loopback (HostDaemon.LOOPBACK_MSS). */
    static final int SEGMENT = 4096;

    /**
     * {@code pause}: every round's stream starts with one full segment and a 100 ms pause of the writer (a
     * header, then the body), so the receiver's delayed ACK fires once and its quick-ACK mode is on for the
     * rest of the stream: the ACKs per segment then show what that mode costs a bulk transfer.
     */
    static void streamVsRawUdp(int mib, int rounds, boolean pause) throws Exception {
        Path dir = Files.createTempDirectory("pilot-bench");
        double[] host = new double[rounds];
        double[] udp = new double[rounds];
        double[] udp1k = new double[rounds];
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new JceSuite(), null);
             HostDaemon a = HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), registry.address()));
             HostDaemon b = HostDaemon.start(HostConfig.loopback(dir.resolve("b.json"), registry.address()))) {
            a.ping(b.address()).get(10, TimeUnit.SECONDS);
            b.listen(1000, s -> CompletableFuture.runAsync(() -> {
                try (InputStream in = s.input()) {
                    long n = in.transferTo(java.io.OutputStream.nullOutputStream());
                    s.write(new byte[] {(byte) (n & 0x7F)}); // one byte back: the sender times until all arrived
                    s.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            })).get(5, TimeUnit.SECONDS);
            // warm-up: MB per CPU-second still rose from round to round after 64 MiB (C2 compiles the loops' paths late)
            streamOnce(a, b, 256, false);
            streamOnce(a, b, 256, false);
            rawUdp(16, SEGMENT);
            rawUdp(16, 1024);
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int r = 0; r < rounds; r++) {
                long outA = a.snapshot().get().packetsOut();
                long outB = b.snapshot().get().packetsOut();
                long cpu = os.getProcessCpuTime();
                long[] loops = loopCpu();
                long drops = udpReceiveBufferDrops();
                long gcs = gcCount();
                long wall = System.nanoTime();
                host[r] = streamOnce(a, b, mib, pause);
                gcs = gcCount() - gcs;
                double hostCpu = (os.getProcessCpuTime() - cpu) / 1e9;
                wall = System.nanoTime() - wall;
                long[] loopsAfter = loopCpu();
                drops = udpReceiveBufferDrops() - drops;
                outA = a.snapshot().get().packetsOut() - outA;
                outB = b.snapshot().get().packetsOut() - outB;
                cpu = os.getProcessCpuTime();
                udp[r] = rawUdp(mib, SEGMENT);
                double udpCpu = (os.getProcessCpuTime() - cpu) / 1e9;
                cpu = os.getProcessCpuTime();
                udp1k[r] = rawUdp(mib, 1024);
                double udp1kCpu = (os.getProcessCpuTime() - cpu) / 1e9;
                System.out.printf("round %d: event loops busy %.0f%% and %.0f%% of the wall time; %d datagrams dropped by "
                        + "full UDP receive buffers on this machine meanwhile; %d GCs; load average %.1f%n", r + 1,
                        100.0 * (loopsAfter[0] - loops[0]) / wall, 100.0 * (loopsAfter[1] - loops[1]) / wall, drops, gcs,
                        os.getSystemLoadAverage());
                System.out.printf("round %d: host stream %.1f MB/s (%.0f MB per CPU-s; %d datagrams out, %d back), "
                        + "raw UDP %.1f MB/s (%.0f MB per CPU-s), ratio %.2f; raw UDP of 1,094-byte datagrams %.1f MB/s "
                        + "(%.0f MB per CPU-s)%n", r + 1, host[r], mib * 1.048576 / hostCpu, outA, outB, udp[r],
                        mib * 1.048576 / udpCpu, host[r] / udp[r], udp1k[r], mib * 1.048576 / udp1kCpu);
            }
        }
        Arrays.sort(host);
        Arrays.sort(udp);
        System.out.printf("| host -> host stream on loopback, %d MiB | median %.1f MB/s, min %.1f, max %.1f | %d rounds, HostStream write/read |%n",
                mib, host[rounds / 2], host[0], host[rounds - 1], rounds);
        Arrays.sort(udp1k);
        System.out.printf("| raw UDP loopback, %,d-byte datagrams, same JVM | %.1f-%.1f MB/s | alternating rounds |%n",
                SEGMENT + 70, udp[0], udp[rounds - 1]);
        System.out.printf("| raw UDP loopback, 1,094-byte datagrams, same JVM | %.1f-%.1f MB/s | alternating rounds |%n",
                udp1k[0], udp1k[rounds - 1]);
    }

    /** Collections of every collector of this JVM so far. */
    private static long gcCount() {
        long n = 0;
        for (var g : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, g.getCollectionCount());
        }
        return n;
    }

    /** Linux's count of UDP datagrams dropped for a full receive buffer (machine-wide), or -1 elsewhere. */
    private static long udpReceiveBufferDrops() {
        try {
            java.util.List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    java.util.List<String> names = Arrays.asList(lines.get(i).trim().split("\\s+"));
                    return Long.parseLong(lines.get(i + 1).trim().split("\\s+")[names.indexOf("RcvbufErrors")]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU nanoseconds of the (two) daemons' event-loop threads so far, in thread-id order. */
    private static long[] loopCpu() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] out = new long[2];
        int i = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("pilot-loop") && i < out.length) {
                out[i++] = threads.getThreadCpuTime(t.getThreadId());
            }
        }
        return out;
    }

    /** One transfer of {@code mib} MiB from a to b's port 1000, timed until b confirmed it read everything. */
    private static double streamOnce(HostDaemon a, HostDaemon b, int mib, boolean pause) throws Exception {
        byte[] chunk = new byte[1 << 20];
        HostStream s = a.open(b.address(), 1000).get(10, TimeUnit.SECONDS);
        if (pause) {
            s.write(new byte[SEGMENT]);
            Thread.sleep(100); // not timed: the rate is the body's
        }
        long t = System.nanoTime();
        for (int i = 0; i < mib; i++) {
            s.write(chunk);
        }
        s.close();
        if (s.input().read() < 0) {
            throw new IllegalStateException("the receiver did not confirm");
        }
        return (long) mib * (1 << 20) / ((System.nanoTime() - t) / 1e9) / 1e6;
    }

    /** Raw UDP loopback: one thread sends {@code mib} MiB as datagrams of a full segment's PILS frame, another receives. */
    private static double rawUdp(int mib, int segment) throws Exception {
        int size = segment + 70; // a full segment's PILS datagram
        try (java.nio.channels.DatagramChannel rx = java.nio.channels.DatagramChannel.open();
             java.nio.channels.DatagramChannel tx = java.nio.channels.DatagramChannel.open()) {
            rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            tx.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            rx.socket().setSoTimeout(0);
            long datagrams = (long) mib * (1 << 20) / segment;
            long[] received = {0};
            long[] lastAt = {0};
            Thread reader = new Thread(() -> {
                java.nio.ByteBuffer in = java.nio.ByteBuffer.allocateDirect(65536);
                try {
                    while (received[0] < datagrams) {
                        in.clear();
                        rx.receive(in);
                        received[0]++;
                        lastAt[0] = System.nanoTime();
                    }
                } catch (java.io.IOException closed) {
                    // the sender gave up waiting for lost datagrams
                }
            });
            reader.start();
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(size);
            InetSocketAddress to = (InetSocketAddress) rx.getLocalAddress();
            long t = System.nanoTime();
            for (long i = 0; i < datagrams; i++) {
                out.clear();
                tx.send(out, to);
            }
            reader.join(2000);
            rx.close();
            reader.join();
            return received[0] * segment / ((lastAt[0] - t) / 1e9) / 1e6;
        }
    }

    static void relay(RegistryServer registry, HostDaemon host) throws Exception {
        RelayLimits l = RelayLimits.DEFAULTS;
        RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new JceSuite(), new SecureEntropy(),
                new RelayLimits(l.maxConnections(), l.authTimeoutMillis(), l.idleTimeoutMillis(), l.maxQueuedBytes(),
                        l.maxTotalQueuedBytes(), 10_000_000, l.maxDestinations()));
        relay.start();
        relay.awaitStarted(5000);
        try (JavaWorker w = new JavaWorker(new InetSocketAddress("127.0.0.1", relay.getPort()), 99)) {
            w.login();
            w.join();
            InetSocketAddress dest = w.realAddress(host.address().node());
            byte[] frame = {'P', 'I', 'L', 'P'};
            byte[] msg = RelayProtocol.pack(dest, frame, 0, frame.length);
            int n = 200_000;
            long before = relay.framesOut.get();
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                w.sendRaw(msg);
            }
            while (relay.framesOut.get() - before < n * 0.99 && System.nanoTime() - t < 30e9) {
                Thread.sleep(1);
            }
            double secs = (System.nanoTime() - t) / 1e9;
            System.out.printf("| relay: WebSocket -> UDP frames | %,.0f /s | one Worker connection, %d small frames |%n",
                    (relay.framesOut.get() - before) / secs, n);
        } finally {
            relay.shutdown();
        }
    }
}
