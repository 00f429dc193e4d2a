package pilot.host.registry;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;

/**
 * The "source" that per-source bounds count: an IPv4 address, or an IPv6 /64 prefix. One IPv6
 * subscriber usually holds a whole /64, so counting single IPv6 addresses would give one attacker
 * 2^64 budgets. The registry's and the relay's per-source bounds both count this.
 */
public final class SourceKey {
    private SourceKey() {
    }

    public static String of(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            return HexFormat.of().formatHex(b, 0, 8) + "::/64";
        }
        return a.getHostAddress();
    }

    /**
     * The wider source an IPv6 address also counts against: its /48 (a site's usual allocation, holding
     * 65,536 /64s); {@code null} for IPv4. Without it one /48 would bring 65,536 budgets.
     */
    static String wide(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            return HexFormat.of().formatHex(b, 0, 6) + "::/48";
        }
        return null;
    }
}
