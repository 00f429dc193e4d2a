package pilot.host.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.edge.HostPort;
import pilot.core.envelope.WireProfile;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.host.crypto.JceSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.daemon.HostStream;
import pilot.host.identity.Identity;
import pilot.host.log.AddressText;
import pilot.host.registry.RegistryServer;

/**
 * {@code pilot-host}: the JVM Pilot peer's command line. Exit codes: 0 success, 1 the operation failed,
 * 2 bad usage or arguments, 3 peer unreachable or timed out, 4 configuration or I/O problem; a command that runs
 * until stopped exits with the JVM's 130 on SIGINT and 143 on SIGTERM.
 */
@Command(name = "pilot-host", mixinStandardHelpOptions = true, version = "pilot-host 0.1.0",
        description = "A Pilot Protocol peer on the JVM: UDP host, registry, and WebSocket relay for Workers.",
        subcommands = {PilotCli.Run.class, PilotCli.Ping.class, PilotCli.Send.class, PilotCli.Echo.class,
            PilotCli.Registry.class, PilotCli.IdentityCmd.class, RelayCommand.class})
public final class PilotCli {
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int CONFIG = 4;
    /** {@code send --close reply} to a port other than echo: the reply has ended after this much silence. */
    static final long QUIET_REPLY_MILLIS = 2_000;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this in-process). */
    public static int execute(String... args) {
        Logging.configure(args);
        CommandLine cl = new CommandLine(new PilotCli());
        cl.setExitCodeExceptionMapper(PilotCli::exitCode);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("pilot-host: " + message(ex));
            return exitCode(ex);
        });
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        codes.put("0", "success");
        codes.put("1", "the operation failed");
        codes.put("2", "bad usage or arguments");
        codes.put("3", "peer unreachable or timed out");
        codes.put("4", "configuration or I/O problem");
        // the JVM's own codes (128 + signal) for a command that runs until stopped: run, echo, registry, relay
        codes.put("130", "stopped by SIGINT (Ctrl-C)");
        codes.put("143", "stopped by SIGTERM (systemctl stop; deploy/pilot-relay.service counts it as success)");
        listExitCodes(cl, codes);
        return cl.execute(args);
    }

    /** Every command's --help lists the exit codes, not only the top level's. */
    private static void listExitCodes(CommandLine cl, java.util.Map<String, String> codes) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(codes);
        for (CommandLine sub : cl.getSubcommands().values()) {
            listExitCodes(sub, codes);
        }
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (ex instanceof Outcome o) {
            return o.exitCode;
        }
        if (ex instanceof TimeoutException) {
            return UNREACHABLE;
        }
        if (ex instanceof IOException) {
            return CONFIG;
        }
        return FAILED;
    }

    static String message(Throwable ex) {
        Throwable t = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
        // the JDK's file errors carry only the path ("/x/keys.txt") or only the reason: say both
        if (t instanceof java.nio.file.NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (t instanceof java.nio.file.AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (t instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() == null ? t.getClass().getSimpleName() : f.getReason());
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** An operation on a peer that ended with a known exit code: {@link #USAGE}, {@link #FAILED} or {@link #UNREACHABLE}. */
    static final class Outcome extends Exception {
        final int exitCode;

        Outcome(int exitCode, String m) {
            super(m);
            this.exitCode = exitCode;
        }
    }

    // ------------------------------------------------------------------ shared options

    static final class AddressConverter implements ITypeConverter<Address> {
        @Override
        public Address convert(String value) {
            var r = Address.parse(value);
            if (!r.isOk()) {
                throw new CommandLine.TypeConversionException("not a Pilot address (N:NNNN.HHHH.LLLL): " + r.detail());
            }
            return r.value();
        }
    }

    /** {@code HOST:PORT} to bind ({@link HostPort.Rule#BIND}: a name or IP, {@code [v6]:port}, port 0 = any free one). */
    static class HostPortConverter implements ITypeConverter<InetSocketAddress> {
        HostPort.Rule rule() {
            return HostPort.Rule.BIND;
        }

        @Override
        public InetSocketAddress convert(String value) {
            Result<HostPort> r = HostPort.parse(value, rule());
            if (!r.isOk()) {
                // the detail already quotes the value ("expected HOST:PORT: 127.0.0.1"); add only an example
                throw new CommandLine.TypeConversionException(r.detail() + " (e.g. 127.0.0.1:9000 or [::1]:9000)");
            }
            // the name (if any) is looked up here, in the host layer; an IP literal is taken as it is
            return new InetSocketAddress(r.value().host(), r.value().port());
        }
    }

    /** {@code HOST:PORT} of a server to reach ({@link HostPort.Rule#NAME}: port 1-65535). */
    static final class ServerConverter extends HostPortConverter {
        @Override
        HostPort.Rule rule() {
            return HostPort.Rule.NAME;
        }
    }

    static final class ProfileConverter implements ITypeConverter<WireProfile> {
        @Override
        public WireProfile convert(String value) {
            WireProfile p = WireProfile.parse(value);
            if (p == null) {
                throw new CommandLine.TypeConversionException("profile must be 'modern' or 'feb2026'");
            }
            return p;
        }
    }

    /** {@code NODE@IP:PORT=BASE64KEY[,profile]}: a peer known without a registry. */
    static final class PeerConverter implements ITypeConverter<HostConfig.StaticPeer> {
        @Override
        public HostConfig.StaticPeer convert(String value) {
            try {
                int at = value.indexOf('@');
                int eq = value.indexOf('=');
                String node = value.substring(0, at);
                int id = node.contains(":") ? new AddressConverter().convert(node).node() : (int) Long.parseLong(node);
                InetSocketAddress ep = new ServerConverter().convert(value.substring(at + 1, eq));
                String rest = value.substring(eq + 1);
                String[] parts = rest.split(",");
                byte[] key = Base64.getDecoder().decode(parts[0]);
                WireProfile p = parts.length > 1 ? new ProfileConverter().convert(parts[1]) : null;
                return new HostConfig.StaticPeer(id, ep, key, p);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("expected NODE@IP:PORT=BASE64KEY[,profile], got '" + value + "'");
            }
        }
    }

    /**
     * {@code -v}/{@code -vv} for the commands that log. Declared so picocli accepts it and lists it in
     * {@code --help}; {@link Logging#configure} reads it from the raw arguments, before any logger exists.
     */
    static final class VerboseOption {
        @Option(names = {"-v", "--verbose"}, description = "more detail in the log (repeat for debug)")
        boolean[] verbose;
    }

    static class HostOptions {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec; // the subcommand's own, so a usage error prints "Usage: pilot-host ping"

        @Option(names = "--identity", paramLabel = "FILE", description = "identity file (created on first use; default: ${DEFAULT-VALUE})",
                defaultValue = "${sys:user.home}/.pilot/identity.json")
        Path identity;

        @Option(names = "--registry", paramLabel = "HOST:PORT", converter = ServerConverter.class,
                description = "registry to register with and resolve peers through (e.g. 127.0.0.1:9000)")
        InetSocketAddress registry;

        @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
                defaultValue = "127.0.0.1:0", description = "UDP address to bind (default: ${DEFAULT-VALUE})")
        InetSocketAddress listen;

        @Option(names = "--profile", paramLabel = "PROFILE", converter = ProfileConverter.class, defaultValue = "modern",
                description = "wire profile: modern (default) or feb2026")
        WireProfile profile;

        @Option(names = "--crypto", paramLabel = "SUITE", defaultValue = "jce",
                description = "AES-GCM implementation: jce (hardware-accelerated, default) or bc (Bouncy Castle)")
        String crypto;

        @Option(names = "--peer", paramLabel = "NODE@IP:PORT=KEY", converter = PeerConverter.class,
                description = "a peer known without the registry (repeatable)")
        List<HostConfig.StaticPeer> peers = new ArrayList<>();

        @Mixin
        VerboseOption verbose;

        HostConfig config(boolean echo) {
            if (!crypto.equals("jce") && !crypto.equals("bc")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--crypto must be jce or bc");
            }
            return new HostConfig(listen, identity, registry, profile, echo, crypto.equals("jce"), peers);
        }
    }

    static HostDaemon startHost(HostOptions o, boolean echo) throws IOException {
        try {
            return HostDaemon.start(o.config(echo));
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on udp " + AddressText.of(o.listen) + ": " + e.getMessage()
                    + " (another process has it? choose another --listen)", e);
        }
    }

    static <T> T await(CompletableFuture<T> f, long seconds, String what) throws Exception {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new Outcome(UNREACHABLE, what + ": no answer within " + seconds + " s");
        } catch (ExecutionException e) {
            pilot.core.ErrorCode code = e.getCause() instanceof pilot.host.daemon.PeerFailure p ? p.code() : null;
            // an address no peer can have is a usage error; a peer that answered "no" a failure; else unreachable
            int exit = code == pilot.core.ErrorCode.INVALID_ARGUMENT ? USAGE
                    : code == pilot.core.ErrorCode.REFUSED || code == pilot.core.ErrorCode.STREAM_RESET ? FAILED : UNREACHABLE;
            throw new Outcome(exit, what + ": " + message(e));
        }
    }

    // ------------------------------------------------------------------ commands

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a host peer until interrupted (Ctrl-C).")
    static final class Run extends HostOptions implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--no-echo", description = "do not serve port 7 (echo)")
        boolean noEcho;

        @Mixin
        AdminOption admin;

        @Override
        public Integer call() throws Exception {
            try (HostDaemon d = startHost(this, !noEcho);
                 var a = admin.start(r -> pilot.host.metrics.HostMetrics.register(r, d), d::healthy)) {
                PrintWriter out = new PrintWriter(System.out, true);
                out.printf("pilot host %s on udp %s (identity %s, public key %s)%n", d.address(), AddressText.of(d.localEndpoint()), identity,
                        d.identity().publicKeyBase64());
                waitForInterrupt();
            }
            return 0;
        }
    }

    @Command(name = "echo", mixinStandardHelpOptions = true,
            description = "Run a host that serves port 7 (echo) and prints each stream it echoes.")
    static final class Echo extends HostOptions implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (HostDaemon d = startHost(this, true)) {
                System.out.printf("echo service on %s port 7 (udp %s)%n", d.address(), AddressText.of(d.localEndpoint()));
                waitForInterrupt();
            }
            return 0;
        }
    }

    @Command(name = "ping", mixinStandardHelpOptions = true,
            description = "Ping a peer: control-protocol ping (default) or, with --stream, a stream to port 7 like pilotctl ping.")
    static final class Ping extends HostOptions implements java.util.concurrent.Callable<Integer> {
        @Parameters(paramLabel = "ADDRESS", converter = AddressConverter.class, description = "peer address, e.g. 0:0000.0000.0010")
        Address target;

        @Option(names = {"-c", "--count"}, defaultValue = "3", converter = IntRange.Count.class,
                description = "pings to send (1.." + IntRange.MAX_COUNT + ", default: ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--stream", description = "echo 'ping-N' over a stream to port 7 instead")
        boolean stream;

        @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS", converter = IntRange.Seconds.class,
                description = "per ping (1.." + IntRange.MAX_TIMEOUT_SECONDS + ", default: ${DEFAULT-VALUE})")
        int timeout;

        @Option(names = "--json", description = "one JSON object per answer on standard output (seq, peer, rtt_ms, wall_ms, kind)")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (HostDaemon d = startHost(this, false)) {
                for (int i = 1; i <= count; i++) {
                    long t0 = System.nanoTime();
                    if (stream) {
                        HostStream s = await(d.open(target, Ports.ECHO), timeout, "stream to " + target + ":7");
                        byte[] msg = ("ping-" + i).getBytes(StandardCharsets.UTF_8);
                        s.setReadTimeout(timeout * 1000L);
                        s.expectReply(ReplyPolicy.echo()); // reference peers close both ways on a FIN
                        s.write(msg);
                        s.close(CloseMode.AFTER_REPLY);
                        byte[] back = s.input().readAllBytes();
                        if (!java.util.Arrays.equals(back, msg)) {
                            throw new IOException("echo mismatch from " + target);
                        }
                        double wall = (System.nanoTime() - t0) / 1e6;
                        if (json) {
                            printJson("stream", i, Math.round(wall), wall);
                        } else {
                            System.out.printf("stream echo from %s: seq=%d time=%.2f ms%n", target, i, wall);
                        }
                    } else {
                        long rtt = await(d.ping(target), timeout, "ping " + target);
                        double wall = (System.nanoTime() - t0) / 1e6;
                        if (json) {
                            printJson("pong", i, rtt, wall);
                        } else {
                            System.out.printf("pong from %s: seq=%d time=%d ms (%.2f ms wall)%n", target, i, rtt, wall);
                        }
                    }
                }
            }
            return 0;
        }

        private void printJson(String kind, int seq, long rttMillis, double wallMillis) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("kind", kind);
            m.put("seq", (long) seq);
            m.put("peer", target.toString());
            m.put("rtt_ms", rttMillis);
            m.put("wall_ms", Math.round(wallMillis * 1000) / 1000.0);
            System.out.println(pilot.core.json.Json.write(m));
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Send data to a peer's port: over a stream (default; prints what the peer sends back) or as a datagram.")
    static final class Send extends HostOptions implements java.util.concurrent.Callable<Integer> {
        /** Bytes handed to the stream per write, so progress moves on a terminal. */
        static final int SEND_CHUNK = 64 * 1024;

        @Parameters(index = "0", paramLabel = "ADDRESS", converter = AddressConverter.class,
                description = "the peer's Pilot address, e.g. 0:0000.0000.0010")
        Address target;

        @Parameters(index = "1", paramLabel = "PORT", description = "virtual port 1..65535")
        int port;

        @Option(names = "--data", paramLabel = "TEXT", description = "the data to send (UTF-8)")
        String data;

        @Option(names = "--file", paramLabel = "FILE", description = "send this file's bytes (- for standard input)")
        String file;

        @Option(names = "--datagram", description = "send one datagram instead of a stream")
        boolean datagram;

        @Option(names = "--timeout", defaultValue = "10", paramLabel = "SECONDS", converter = IntRange.Seconds.class,
                description = "to reach the peer, and the longest wait for each reply byte (1.." + IntRange.MAX_TIMEOUT_SECONDS
                        + ", default: ${DEFAULT-VALUE})")
        int timeout;

        @Option(names = "--close", paramLabel = "MODE",
                description = "how our side ends: reply (keep writing side open until the reply has ended: the echo of every "
                        + "byte on port 7, else the peer's close or 2 s of quiet), half (FIN ours, read until the peer's FIN), "
                        + "full (FIN ours, stop reading). Default: reply on port 7, half elsewhere")
        String close;

        @Override
        public Integer call() throws Exception {
            CloseMode mode = close == null ? (port == Ports.ECHO ? CloseMode.AFTER_REPLY : CloseMode.HALF)
                    : switch (close) {
                        case "reply" -> CloseMode.AFTER_REPLY;
                        case "half" -> CloseMode.HALF;
                        case "full" -> CloseMode.FULL;
                        default -> throw new CommandLine.ParameterException(spec.commandLine(), "--close must be reply, half or full");
                    };
            if ((data == null) == (file == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --data or --file");
            }
            if (port < 1 || port > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "PORT must be 1..65535");
            }
            byte[] bytes = data != null ? data.getBytes(StandardCharsets.UTF_8)
                    : file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
            try (HostDaemon d = startHost(this, false)) {
                if (datagram) {
                    await(d.ping(target), timeout, "reach " + target); // make sure the session is up first
                    int src = await(d.sendDatagram(target, port, bytes), timeout, "datagram to " + target);
                    System.err.printf("sent %d bytes as a datagram from port %d%n", bytes.length, src);
                    return 0;
                }
                HostStream s = await(d.open(target, port), timeout, "stream to " + target + ":" + port);
                s.setReadTimeout(timeout * 1000L);
                if (mode == CloseMode.AFTER_REPLY) {
                    s.expectReply(port == Ports.ECHO ? ReplyPolicy.echo() : new ReplyPolicy(ReplyPolicy.UNKNOWN, 0, QUIET_REPLY_MILLIS));
                }
                Progress progress = Progress.onTerminal(bytes.length);
                CompletableFuture<Long> copied = CompletableFuture.supplyAsync(() -> {
                    try (InputStream in = s.input()) {
                        byte[] buf = new byte[64 * 1024];
                        long n = 0;
                        for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                            System.out.write(buf, 0, r);
                            n += r;
                            progress.received(r, System.nanoTime());
                        }
                        return n;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                for (int at = 0; at < bytes.length; at += SEND_CHUNK) { // paced by the core when the reply is an echo
                    int n = Math.min(SEND_CHUNK, bytes.length - at);
                    s.write(java.util.Arrays.copyOfRange(bytes, at, at + n));
                    progress.sent(n, System.nanoTime());
                }
                s.close(mode);
                // each read waits at most --timeout for progress; a reset or a short echo fails the copy
                long back = await(copied, 24 * 3600L, "reply from " + target);
                progress.finish(System.nanoTime());
                System.out.flush();
                System.err.printf("sent %d bytes, received %d%n", bytes.length, back);
            }
            return 0;
        }
    }

    @Command(name = "registry", mixinStandardHelpOptions = true,
            description = "Run a local registry (the protocol of the reference registry) until interrupted.")
    static final class Registry implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--listen", paramLabel = "HOST:PORT", converter = HostPortConverter.class, defaultValue = "127.0.0.1:9000",
                description = "TCP address (default: ${DEFAULT-VALUE})")
        InetSocketAddress listen;

        @Option(names = "--store", paramLabel = "FILE", description = "keep node ids across restarts in this file (changes go first to an append-only FILE.log beside it)")
        Path store;

        @Mixin
        VerboseOption verbose;

        @Override
        public Integer call() throws Exception {
            RegistryServer server;
            try {
                server = new RegistryServer(listen, new JceSuite(), store);
            } catch (java.net.BindException e) {
                throw new IOException("cannot listen on tcp " + AddressText.of(listen) + ": " + e.getMessage()
                        + " (another process has it? choose another --listen)", e);
            }
            try (RegistryServer r = server) {
                System.out.printf("registry on tcp %s%n", AddressText.of(r.address()));
                waitForInterrupt();
            }
            return 0;
        }
    }

    @Command(name = "identity", mixinStandardHelpOptions = true, description = "Show or create a node identity.",
            subcommands = {IdentityCmd.Show.class, IdentityCmd.New.class})
    static final class IdentityCmd {
        @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the address and public key (never the private key).")
        static final class Show implements java.util.concurrent.Callable<Integer> {
            @Option(names = "--identity", paramLabel = "FILE", defaultValue = "${sys:user.home}/.pilot/identity.json")
            Path file;

            @Option(names = "--json", description = "one JSON object: address (null before registration), public_key, file")
            boolean json;

            @Override
            public Integer call() throws Exception {
                Identity id = Identity.load(file, new JceSuite());
                if (id == null) {
                    throw new IOException("no identity at " + file + " (create one with: pilot-host identity new)");
                }
                if (json) {
                    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("address", id.isRegistered() ? id.address().toString() : null);
                    m.put("public_key", id.publicKeyBase64());
                    m.put("file", file.toString());
                    System.out.println(pilot.core.json.Json.write(m));
                    return 0;
                }
                System.out.printf("address    %s%npublic key %s%nfile       %s%n",
                        id.isRegistered() ? id.address() : "(not registered yet)", id.publicKeyBase64(), file);
                return 0;
            }
        }

        @Command(name = "new", mixinStandardHelpOptions = true, description = "Create a new identity file.")
        static final class New implements java.util.concurrent.Callable<Integer> {
            @Option(names = "--identity", paramLabel = "FILE", defaultValue = "${sys:user.home}/.pilot/identity.json")
            Path file;

            @Option(names = "--force", description = "replace an existing identity (its node id is lost)")
            boolean force;

            @Override
            public Integer call() throws Exception {
                if (Files.exists(file) && !force) {
                    throw new IOException(file + " exists; use --force to replace it");
                }
                Identity id = Identity.generate(new JceSuite(), new SecureEntropy());
                id.save(file);
                System.out.printf("new identity in %s, public key %s%n", file, id.publicKeyBase64());
                return 0;
            }
        }
    }

    static void waitForInterrupt() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
        done.await();
    }
}
