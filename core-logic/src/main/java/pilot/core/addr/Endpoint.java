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

    /**
     * Parses a dotted IPv4 address ({@code 127.0.0.1}), or an IPv6 address as its 16 bytes in 32 hex digits
     * without separators (the form the wasm boundary renders, e.g. {@code ::1} is 31 zeros and a 1), with a port.
     */
    public static pilot.core.Result<Endpoint> parse(String host, int port) {
        if (host == null || !Ports.isValid(port)) {
            return pilot.core.Result.fail(pilot.core.ErrorCode.INVALID_ARGUMENT, "bad endpoint " + host + ":" + port);
        }
        if (host.length() == 32) {
            byte[] ip6 = new byte[16];
            for (int i = 0; i < 32; i++) {
                int d = Character.digit(host.charAt(i), 16);
                if (d < 0) {
                    return pilot.core.Result.fail(pilot.core.ErrorCode.INVALID_ARGUMENT, "not an IPv6 address in hex: " + host);
                }
                ip6[i / 2] |= (byte) (i % 2 == 0 ? d << 4 : d);
            }
            return pilot.core.Result.ok(new Endpoint(ip6, port));
        }
        byte[] ip = new byte[4];
        int start = 0;
        for (int i = 0; i < 4; i++) {
            int end = i < 3 ? host.indexOf('.', start) : host.length();
            // no String.split: it would pull a regular-expression engine into the wasm module
            int v = end < 0 || end - start > 3 ? -1 : Address.parseDecimal(host, start, end, 255);
            if (v < 0) {
                return pilot.core.Result.fail(pilot.core.ErrorCode.INVALID_ARGUMENT, "not an IPv4 address: " + host);
            }
            ip[i] = (byte) v;
            start = end + 1;
        }
        return pilot.core.Result.ok(new Endpoint(ip, port));
    }

    public byte[] ip() {
        return ip.clone();
    }

    public int port() {
        return port;
    }

    /** The address part as text; the rate limiter keys on it (one bucket per source IP, spec D.2). */
    public String host() {
        if (ip.length == 4) {
            return (ip[0] & 0xFF) + "." + (ip[1] & 0xFF) + "." + (ip[2] & 0xFF) + "." + (ip[3] & 0xFF);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(((ip[i] & 0xFF) << 8) | (ip[i + 1] & 0xFF)));
        }
        return sb.toString();
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
