package pilot.host.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pilot.host.crypto.JceSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.metrics.AdminServer;
import pilot.host.metrics.RelayMetrics;
import pilot.host.registry.RegistryClient;
import pilot.host.identity.Identity;
import pilot.host.log.AddressText;
import pilot.host.relay.DialInConfig;
import pilot.host.relay.DialInPolicy;
import pilot.host.relay.RelayLimits;
import pilot.host.relay.RelayPolicy;
import pilot.host.relay.RelayProtocol;
import pilot.host.relay.RelayServer;
import pilot.host.relay.RelayTls;

/** {@code pilot-host relay}: the WebSocket ⇄ UDP relay that lets Cloudflare Workers be Pilot peers. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Run the WebSocket-to-UDP relay for Workers until interrupted. Workers connect to ws://LISTEN"
                + RelayProtocol.PATH + " (wss:// with --tls-cert/--tls-key), log in with their Ed25519 key and get a UDP"
                + " endpoint of their own.")
final class RelayCommand implements Callable<Integer> {
    /** How long a start may take before the relay is given up (a failed bind ends the wait at once). */
    static final long START_TIMEOUT_MILLIS = 10_000;

    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = PilotCli.HostPortConverter.class,
            defaultValue = "127.0.0.1:8787", description = "WebSocket address (default: ${DEFAULT-VALUE})")
    InetSocketAddress listen;

    @Option(names = "--udp-host", paramLabel = "IP", defaultValue = "127.0.0.1",
            description = "address the Workers' UDP endpoints bind to (default: ${DEFAULT-VALUE})")
    String udpHost;

    @Option(names = "--worker-mss", paramLabel = "BYTES",
            description = "stream segment Workers may send through this relay, 1024..4096 (default: 4096 when --udp-host is a"
                    + " loopback address, where nothing fragments; 1024 otherwise)")
    Integer workerMss;

    @Option(names = "--registry", paramLabel = "HOST:PORT", converter = PilotCli.ServerConverter.class, required = true,
            description = "registry the Workers register in (their requests are forwarded, signed by them)")
    InetSocketAddress registry;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "1024", converter = IntRange.Connections.class,
            description = "WebSocket connections at once, logged in or not; more are closed with 1013 (1.." + IntRange.MAX_CONNECTIONS
                    + ", default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--max-connections-per-ip", paramLabel = "N", defaultValue = "256", converter = IntRange.Connections.class,
            description = "TCP connections from one IP at once; Workers share Cloudflare's egress addresses (1.."
                    + IntRange.MAX_CONNECTIONS + ", default: ${DEFAULT-VALUE})")
    int maxConnectionsPerIp;

    @Option(names = "--logins-per-second-per-ip", paramLabel = "N", defaultValue = "20", converter = IntRange.LoginsPerSecond.class,
            description = "login attempts (signature checks) per IP per second, burst as large (1.."
                    + IntRange.MAX_LOGINS_PER_SECOND + ", default: ${DEFAULT-VALUE})")
    int loginsPerSecondPerIp;

    @Option(names = "--max-provisional-per-ip", paramLabel = "N", defaultValue = "8", converter = IntRange.ProvisionalPerIp.class,
            description = "logins of keys not yet registered, per IP (1..64, the pool in total; default: ${DEFAULT-VALUE})")
    int maxProvisionalPerIp;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain (leaf first): serve wss:// (needs --tls-key)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key of --tls-cert")
    Path tlsKey;

    @Option(names = "--allow-keys", paramLabel = "FILE",
            description = "only these Workers may log in: one base64 Ed25519 public key per line (# comments);"
                    + " without it any key may log in to register itself (a small provisional pool)")
    Path allowKeys;

    @Option(names = "--relay-key", paramLabel = "FILE", defaultValue = "${sys:user.home}/.pilot/relay-key.json",
            description = "the relay's long-term Ed25519 key, which it proves to Workers it dials into (created owner-only"
                    + " on first use, in the format of an identity file; read only with --dial-in-allow; default: ${DEFAULT-VALUE})")
    Path relayKey;

    @Option(names = "--dial-in-allow", paramLabel = "PREFIX",
            description = "dial into Workers whose URL starts with PREFIX, an http(s)://host[:port]/path… URL (repeatable;"
                    + " default: none, dial-in refused). The relay dials only after the Worker logged in with its key")
    List<String> dialInAllow = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec; // errors print "Usage: pilot-host relay", not a detached "relay"

    @Mixin
    PilotCli.VerboseOption verbose;

    @Mixin
    AdminOption admin;

    static Set<RelayPolicy.Key> readKeys(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("--allow-keys " + file + ": is a directory, expected a file of base64 keys");
        }
        if (Files.size(file) > 16L << 20) {
            throw new IOException(file + ": larger than 16 MiB");
        }
        Set<RelayPolicy.Key> keys = new HashSet<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            try {
                keys.add(new RelayPolicy.Key(Base64.getDecoder().decode(t)));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + n + ": not a base64 32-byte Ed25519 public key");
            }
        }
        if (keys.isEmpty()) {
            throw new IOException(file + ": no keys (an empty allow-list would let nobody in)");
        }
        return keys;
    }

    /** The dial-in settings: with no {@code --dial-in-allow} the key file is neither read nor created. */
    DialInConfig dialIn() throws IOException {
        if (dialInAllow.isEmpty()) {
            return DialInConfig.NONE;
        }
        for (String prefix : dialInAllow) {
            if (!DialInPolicy.validPrefix(prefix)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--dial-in-allow " + prefix + ": expected http(s)://host[:port]/path (the path fixes host and port)");
            }
        }
        JceSuite suite = new JceSuite();
        Identity key;
        try {
            key = Identity.loadOrCreate(relayKey, suite, new SecureEntropy());
        } catch (IOException e) {
            if (e instanceof java.nio.file.FileSystemException || !Files.isRegularFile(relayKey)) {
                throw e; // cannot be read or written: PilotCli.message names the file and the reason
            }
            throw new IOException("--relay-key " + relayKey + " is not a relay key file (" + PilotCli.message(e)
                    + "); give the right file, or move this one aside and a new key is made (Workers that pinned the old"
                    + " key then refuse the relay until their RELAY_PUBLIC_KEY is the new one)", e);
        }
        return new DialInConfig(key.signingKey(suite), dialInAllow, RelayLimits.DialIn.DEFAULTS);
    }

    /**
     * {@code --udp-host} as an address every Worker's UDP socket can bind: an IP literal (a name would be looked up),
     * and one of this machine's (else each login is refused "no UDP endpoint available" while the relay looks healthy).
     */
    private InetAddress udpAddress() throws java.io.IOException {
        // a zone only on an IPv6 literal: "1.2.3.4%x" would go to the system resolver
        if (pilot.core.addr.IpLiteral.parse(udpHost) == null || (udpHost.indexOf('%') >= 0 && udpHost.indexOf(':') < 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--udp-host must be an IP address of this machine: " + udpHost);
        }
        InetAddress a = InetAddress.getByName(udpHost); // a literal (checked above): no lookup; keeps an IPv6 zone
        if (a.isMulticastAddress()) {
            // (the wildcard is fine: the registry records the address it sees the relay's connection come from)
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--udp-host must be an address of this machine, not a multicast address: " + udpHost);
        }
        String problem = RelayServer.udpHostProblem(a);
        if (problem != null) {
            throw new java.io.IOException("--udp-host " + udpHost + ": cannot bind a UDP socket there (" + problem
                    + "); give an address of one of this machine's interfaces");
        }
        return a;
    }

    @Override
    public Integer call() throws Exception {
        RelayLimits d = RelayLimits.DEFAULTS;
        RelayLimits limits = new RelayLimits(maxConnections, d.authTimeoutMillis(), d.idleTimeoutMillis(), d.maxQueuedBytes(),
                d.maxTotalQueuedBytes(), d.packetsPerSecond(), d.maxDestinations())
                .withLogins(maxConnectionsPerIp, loginsPerSecondPerIp, d.maxProvisional(), maxProvisionalPerIp);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--tls-cert and --tls-key go together");
        }
        SSLContext tls = tlsCert == null ? null : RelayTls.context(tlsCert, tlsKey);
        Set<RelayPolicy.Key> keys = allowKeys == null ? Set.of() : readKeys(allowKeys);
        DialInConfig dial = dialIn();
        if (workerMss != null && (workerMss < RelayProtocol.NETWORK_STREAM_MSS || workerMss > RelayProtocol.LOOPBACK_STREAM_MSS)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--worker-mss must be "
                    + RelayProtocol.NETWORK_STREAM_MSS + ".." + RelayProtocol.LOOPBACK_STREAM_MSS + ": " + workerMss);
        }
        InetAddress udpAddress = udpAddress();
        RelayServer relay = new RelayServer(listen, udpAddress, new RegistryClient(registry, 3000),
                new JceSuite(), new SecureEntropy(), limits, keys, tls, dial);
        if (workerMss != null) {
            relay.setWorkerStreamMss(workerMss); // checked above
        }
        relay.start();
        if (!relay.awaitStarted(START_TIMEOUT_MILLIS)) {
            String why = relay.startFailure();
            relay.shutdown();
            throw new java.io.IOException("the relay could not listen on " + AddressText.of(listen) + ": "
                    + (why != null ? why : "not listening within " + START_TIMEOUT_MILLIS / 1000 + " s") + " (choose another --listen)");
        }
        System.out.printf("relay on %s://%s%s (UDP endpoints on %s, registry %s%s)%n", tls == null ? "ws" : "wss",
                AddressText.of(new InetSocketAddress(listen.getAddress(), relay.getPort())), RelayProtocol.PATH, udpHost,
                AddressText.of(registry),
                keys.isEmpty() ? "" : ", " + keys.size() + " allowed keys");
        if (dial.enabled()) {
            System.out.printf("relay key %s (give it to Worker authors as RELAY_PUBLIC_KEY); dial-in to %s%n",
                    relay.relayKeyBase64(), String.join(" ", dial.allowPrefixes()));
        }
        try (AdminServer a = admin.start(r -> RelayMetrics.register(r, relay), relay::healthy,
                () -> dial.enabled() ? "relay_key " + relay.relayKeyBase64() + "\n" : "")) {
            PilotCli.waitForInterrupt();
        } finally {
            relay.shutdown();
        }
        return 0;
    }
}
