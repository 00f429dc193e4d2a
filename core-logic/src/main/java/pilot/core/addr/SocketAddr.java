package pilot.core.addr;

import pilot.core.Result;

/**
 * A virtual address plus a 16-bit port: {@code N:NNNN.HHHH.LLLL:port} (spec A.1, split at the last colon).
 */
public record SocketAddr(Address address, int port) {
    public SocketAddr {
        if (address == null) {
            throw new IllegalArgumentException("address required");
        }
        Ports.require(port);
    }

    public static Result<SocketAddr> parse(String text) {
        if (text == null) {
            return Address.bad("null");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.indexOf(':')) {
            return Address.bad("expected ADDRESS:PORT: " + text);
        }
        int port = Address.parseDecimal(text, colon + 1, text.length(), Ports.MAX);
        if (port < 0) {
            return Address.bad("port is not a decimal 0..65535: " + text);
        }
        Result<Address> addr = Address.parse(text.substring(0, colon));
        return addr.isOk() ? Result.ok(new SocketAddr(addr.value(), port)) : addr.castFailure();
    }

    @Override
    public String toString() {
        return address + ":" + port;
    }
}
