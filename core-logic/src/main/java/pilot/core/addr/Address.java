package pilot.core.addr;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.text.AsciiHex;

/**
 * A 48-bit Pilot virtual address: 16-bit network id and 32-bit node id (spec A.1).
 * Text form {@code N:NNNN.HHHH.LLLL}: decimal network, then the network again and the node's two
 * halves as four upper-case hex digits each.
 *
 * @param network network id, 0..65535
 * @param node    node id as raw 32 bits (use {@link #nodeUnsigned()} for arithmetic)
 */
public record Address(int network, int node) {
    public static final int BYTES = 6;
    public static final Address ZERO = new Address(0, 0);
    public static final Address REGISTRY = new Address(0, 1);
    public static final Address BEACON = new Address(0, 2);
    public static final Address NAMESERVER = new Address(0, 3);
    /** Node id meaning "every node of the network" (spec A.1). */
    public static final int BROADCAST_NODE = 0xFFFFFFFF;

    public Address {
        if (network < 0 || network > 0xFFFF) {
            throw new IllegalArgumentException("network out of range: " + network);
        }
    }

    /** Node id 0..2^32-1. */
    public long nodeUnsigned() {
        return node & 0xFFFFFFFFL;
    }

    public boolean isBroadcast() {
        return node == BROADCAST_NODE;
    }

    public boolean isZero() {
        return network == 0 && node == 0;
    }

    /** Parses the text form of spec A.1; every malformed input is a {@link ErrorCode#BAD_ADDRESS}. */
    public static Result<Address> parse(String text) {
        if (text == null) {
            return bad("null");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return bad("missing network: " + text);
        }
        int network = parseDecimal(text, 0, colon, 0xFFFF);
        if (network < 0) {
            return bad("network is not a decimal 0..65535: " + text);
        }
        String rest = text.substring(colon + 1);
        if (rest.length() != 14 || rest.charAt(4) != '.' || rest.charAt(9) != '.') {
            return bad("expected NNNN.HHHH.LLLL after the colon: " + text);
        }
        int g1 = parseHex4(rest, 0);
        int g2 = parseHex4(rest, 5);
        int g3 = parseHex4(rest, 10);
        if (g1 < 0 || g2 < 0 || g3 < 0) {
            return bad("groups must be 4 hex digits: " + text);
        }
        if (g1 != network) {
            return bad("network mismatch between decimal and hex group: " + text);
        }
        return Result.ok(new Address(network, (g2 << 16) | g3));
    }

    @Override
    public String toString() {
        return network + ":" + hex4(network) + "." + hex4(node >>> 16) + "." + hex4(node & 0xFFFF);
    }

    static <T> Result<T> bad(String why) {
        return Result.fail(ErrorCode.BAD_ADDRESS, why);
    }

    /** Parses decimal digits in [from, to) up to max; -1 when not a plain decimal in range. */
    static int parseDecimal(String s, int from, int to, int max) {
        if (to <= from || to - from > 10) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > max ? -1 : (int) v;
    }

    private static int parseHex4(String s, int from) {
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            int d = AsciiHex.digit(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static String hex4(int v) {
        final String digits = "0123456789ABCDEF";
        char[] out = new char[4];
        for (int i = 3; i >= 0; i--) {
            out[i] = digits.charAt(v & 0xF);
            v >>>= 4;
        }
        return new String(out);
    }
}
