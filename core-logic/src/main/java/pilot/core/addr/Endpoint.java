package pilot.core.addr;

import java.util.Arrays;

/**
 * A real (underlay) UDP endpoint: IPv4/IPv6 address bytes and a port. The core never opens sockets;
 * it only names endpoints that the host reads from and writes to. Immutable.
 */
public final class Endpoint {
    private final byte[] ip;
    private final int port;
    private final int hash;

    public Endpoint(byte[] ip, int port) {
        if (ip == null || (ip.length != 4 && ip.length != 16)) {
            throw new IllegalArgumentException("ip must be 4 or 16 bytes");
        }
        Ports.require(port);
        this.ip = ip.clone();
        this.port = port;
        this.hash = Arrays.hashCode(ip) * 31 + port;
    }

    /** IPv4 convenience: {@code Endpoint.ipv4(127, 0, 0, 1, 4000)}. */
    public static Endpoint ipv4(int a, int b, int c, int d, int port) {
        return new Endpoint(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, port);
    }

    /** Parses an IP literal ({@link IpLiteral}: dotted IPv4 or IPv6 text, no host names) with a port. */
    public static pilot.core.Result<Endpoint> parse(String host, int port) {
        byte[] ip = IpLiteral.parse(host);
        if (ip == null || !Ports.isValid(port)) {
            return pilot.core.Result.fail(pilot.core.ErrorCode.INVALID_ARGUMENT, "bad endpoint " + host + ":" + port);
        }
        return pilot.core.Result.ok(new Endpoint(ip, port));
    }

    public byte[] ip() {
        return ip.clone();
    }

    /** 4 or 16. */
    public int ipLength() {
        return ip.length;
    }

    /** Copies the address bytes to {@code out[at]} (no clone per packet); returns how many. */
    public int copyIp(byte[] out, int at) {
        System.arraycopy(ip, 0, out, at, ip.length);
        return ip.length;
    }

    public int port() {
        return port;
    }

    /** The address part as text; the rate limiter keys on it (one bucket per source IP, spec D.2). */
    public String host() {
        return IpLiteral.text(ip);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && e.port == port && Arrays.equals(e.ip, ip);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return ip.length == 4 ? host() + ":" + port : "[" + host() + "]:" + port;
    }
}
