package pilot.host.cli;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import pilot.host.log.AddressText;
import pilot.host.metrics.AdminServer;

/** {@code --admin [HOST:]PORT} for the long-running commands: /healthz and /metrics on a separate listener. */
final class AdminOption {
    /** Where the admin listener binds when only a port is given: never beyond this machine unless asked. */
    static final String DEFAULT_HOST = "127.0.0.1";

    @Option(names = "--admin", paramLabel = "[HOST:]PORT", converter = AdminAddressConverter.class,
            description = "serve GET /healthz and /metrics (Prometheus) over HTTP on this separate address; HOST defaults"
                    + " to " + DEFAULT_HOST + " (default: off). No authentication: keep it on loopback or a trusted network")
    InetSocketAddress admin;

    /** Starts the admin listener if {@code --admin} was given (null otherwise); prints where it listens. */
    AdminServer start(Consumer<PrometheusRegistry> metrics, BooleanSupplier healthy) throws IOException {
        return start(metrics, healthy, () -> "");
    }

    /** The same, {@code /healthz} adding {@code healthDetail}'s lines after its status. */
    AdminServer start(Consumer<PrometheusRegistry> metrics, BooleanSupplier healthy,
                      java.util.function.Supplier<String> healthDetail) throws IOException {
        if (admin == null) {
            return null;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        metrics.accept(registry);
        AdminServer server;
        try {
            server = new AdminServer(admin, registry, healthy, healthDetail);
        } catch (IOException e) {
            throw new IOException("cannot listen for --admin on " + AddressText.of(admin) + ": " + e.getMessage(), e);
        }
        System.out.printf("admin on http://%s (%s, %s)%n", AddressText.of(server.address()),
                AdminServer.HEALTH_PATH, AdminServer.METRICS_PATH);
        return server;
    }

    static final class AdminAddressConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            String v = value.contains(":") ? value : DEFAULT_HOST + ":" + value;
            try {
                return new PilotCli.HostPortConverter().convert(v);
            } catch (CommandLine.TypeConversionException e) {
                throw new CommandLine.TypeConversionException("expected [HOST:]PORT, got '" + value + "'");
            }
        }
    }
}
