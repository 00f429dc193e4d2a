package pilot.host.log;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import pilot.core.edge.HostPort;

/**
 * How a socket address is written in logs and messages: {@code HOST:PORT}, an IPv6 address in brackets with every
 * group, as the core's {@link HostPort} writes it ({@code [0:0:0:0:0:0:0:1]:9000}); every {@code --listen} and
 * {@code --registry} option takes that form back. Not {@link InetSocketAddress#toString()}, which writes
 * {@code /127.0.0.1:9000} or {@code name/1.2.3.4:9000}.
 */
public final class AddressText {
    private AddressText() {
    }

    /** {@code 127.0.0.1:9000}, {@code [0:0:0:0:0:0:0:1]:9000}; an unresolved address as its name and port. */
    public static String of(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        return new HostPort(ip.getHostAddress(), ip.getAddress(), a.getPort()).toString(); // HostPort writes the brackets
    }
}
