package pilot.core.edge;

import java.util.Arrays;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Endpoint;
import pilot.core.addr.IpLiteral;

/**
 * The one {@code host:port} parser of the project (registry answers, relay endpoints, command-line
 * options, listen addresses). Forms: {@code 1.2.3.4:80}, {@code [::1]:80}, and {@code ::1:80} (unbracketed
 * IPv6, split at the last colon: what {@code InetAddress.getHostAddress() + ":" + port} gives, so what our
 * registry and relay write); host names only where the {@link Rule} allows them. A host name stays a string:
 * the host layer resolves it, the core never looks anything up.
 *
 * @param host the host as written, without brackets (an IP literal or a host name)
 * @param ip   its 4 or 16 bytes when it is an IP literal, else null
 * @param port 0..65535 (0 only under {@link Rule#BIND})
 */
public record HostPort(String host, byte[] ip, int port) {
    /** Longest text parsed: a 253-character host name, brackets, colon and port fit. */
    public static final int MAX_TEXT = 261;
    /** Longest host name (RFC 1035). */
    public static final int MAX_HOST_NAME = 253;

    /** What a caller accepts. */
    public enum Rule {
        /** An IP literal and a port 1..65535: endpoints a registry or a peer names (never looked up). */
        IP,
        /** An IP literal or a host name, port 1..65535: a server the user names. */
        NAME,
        /** An IP literal or a host name, port 0..65535 (0: any free port): an address to bind. */
        BIND
    }

    public HostPort {
        ip = ip == null ? null : ip.clone();
    }

    @Override
    public byte[] ip() {
        return ip == null ? null : ip.clone();
    }

    /** The endpoint, when the host is an IP literal and the port is not 0; else null. */
    public Endpoint endpoint() {
        return ip == null || port == 0 ? null : new Endpoint(ip, port);
    }

    public static Result<HostPort> parse(String text, Rule rule) {
        if (text == null || text.isEmpty()) {
            return bad("empty host:port");
        }
        if (text.length() > MAX_TEXT) {
            return bad("host:port longer than " + MAX_TEXT + " characters");
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return bad("expected HOST:PORT: " + text);
        }
        int port = port(text, colon + 1, rule == Rule.BIND ? 0 : 1);
        if (port < 0) {
            return bad("port must be decimal " + (rule == Rule.BIND ? 0 : 1) + "..65535: " + text);
        }
        String host = text.substring(0, colon);
        boolean bracketed = host.startsWith("[");
        if (bracketed) {
            if (host.length() < 3 || !host.endsWith("]")) {
                return bad("unclosed [ in: " + text);
            }
            host = host.substring(1, host.length() - 1);
            if (host.indexOf(':') < 0) {
                return bad("only an IPv6 address goes in brackets: " + text);
            }
        }
        byte[] ip = IpLiteral.parse(host);
        if (ip != null) {
            return Result.ok(new HostPort(host, ip, port));
        }
        if (rule == Rule.IP) {
            return bad("not an IP address: " + text);
        }
        if (bracketed || !isHostName(host)) {
            return bad("neither an IP address nor a host name: " + text);
        }
        return Result.ok(new HostPort(host, null, port));
    }

    /**
     * The port of a listen address whose host part is not used (the registry stores the address it sees
     * the connection come from, with the announced port): the decimal after the last colon, 1..65535; -1
     * when there is none.
     */
    public static int portOf(String text) {
        if (text == null || text.length() > MAX_TEXT) {
            return -1;
        }
        return port(text, text.lastIndexOf(':') + 1, 1);
    }

    /** Decimal digits from {@code from} to the end, {@code min}..65535, no sign or spaces; -1 otherwise. */
    private static int port(String text, int from, int min) {
        int n = text.length() - from;
        if (from <= 0 || n < 1 || n > 5) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v >= min && v <= 65535 ? v : -1;
    }

    /**
     * Letters, digits, '-' and '.', labels of 1-63 characters not starting or ending with '-', at most
     * {@link #MAX_HOST_NAME}; all digits and dots is a mistyped IPv4 address, not a name.
     */
    static boolean isHostName(String h) {
        if (h.isEmpty() || h.length() > MAX_HOST_NAME) {
            return false;
        }
        boolean letter = false;
        int label = 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c == '.') {
                if (label == 0 || h.charAt(i - 1) == '-') {
                    return false;
                }
                label = 0;
                continue;
            }
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alpha && !(c >= '0' && c <= '9') && !(c == '-' && label > 0)) {
                return false;
            }
            letter |= alpha || c == '-';
            if (++label > 63) {
                return false;
            }
        }
        return letter && h.charAt(h.length() - 1) != '-';
    }

    private static Result<HostPort> bad(String detail) {
        return Result.fail(ErrorCode.BAD_ADDRESS, detail);
    }

    /** {@code 1.2.3.4:80}, {@code [::1]:80} (IPv6 always in brackets), {@code name:80}. */
    @Override
    public String toString() {
        if (ip != null) {
            String t = IpLiteral.text(ip);
            return ip.length == 16 ? "[" + t + "]:" + port : t + ":" + port;
        }
        return host + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPort h && h.port == port && h.host.equals(host) && Arrays.equals(h.ip, ip);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }
}
