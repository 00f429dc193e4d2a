package pilot.host.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pilot.host.crypto.JceSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.registry.RegistryClient;
import pilot.host.relay.RelayLimits;
import pilot.host.relay.RelayProtocol;
import pilot.host.relay.RelayServer;

/** {@code pilot-host relay}: the WebSocket ⇄ UDP relay that lets Cloudflare Workers be Pilot peers. */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Run the WebSocket-to-UDP relay for Workers until interrupted. Workers connect to ws://LISTEN"
                + RelayProtocol.PATH + ", log in with their Ed25519 key and get a UDP endpoint of their own.")
final class RelayCommand implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", converter = PilotCli.HostPortConverter.class,
            defaultValue = "127.0.0.1:8787", description = "WebSocket address (default: ${DEFAULT-VALUE})")
    InetSocketAddress listen;

    @Option(names = "--udp-host", paramLabel = "IP", defaultValue = "127.0.0.1",
            description = "address the Workers' UDP endpoints bind to (default: ${DEFAULT-VALUE})")
    String udpHost;

    @Option(names = "--registry", paramLabel = "HOST:PORT", converter = PilotCli.HostPortConverter.class, required = true,
            description = "registry the Workers register in (their requests are forwarded, signed by them)")
    InetSocketAddress registry;

    @Option(names = "--max-connections", defaultValue = "1024", description = "default: ${DEFAULT-VALUE}")
    int maxConnections;

    @Mixin
    PilotCli.VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        RelayLimits d = RelayLimits.DEFAULTS;
        RelayLimits limits = new RelayLimits(maxConnections, d.authTimeoutMillis(), d.idleTimeoutMillis(), d.maxQueuedBytes(),
                d.maxTotalQueuedBytes(), d.packetsPerSecond(), d.maxDestinations());
        RelayServer relay = new RelayServer(listen, InetAddress.getByName(udpHost), new RegistryClient(registry, 3000),
                new JceSuite(), new SecureEntropy(), limits);
        relay.start();
        if (!relay.awaitStarted(10_000)) {
            throw new java.io.IOException("the relay could not listen on " + listen);
        }
        System.out.printf("relay on ws://%s:%d%s (UDP endpoints on %s, registry %s)%n", listen.getHostString(),
                listen.getPort(), RelayProtocol.PATH, udpHost, registry);
        try {
            PilotCli.waitForInterrupt();
        } finally {
            relay.shutdown();
        }
        return 0;
    }
}
