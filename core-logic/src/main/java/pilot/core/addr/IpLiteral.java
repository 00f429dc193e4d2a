package pilot.core.addr;

import pilot.core.text.AsciiHex;

/**
 * IP address literals as text and as their 4 or 16 bytes: dotted IPv4 ({@code 127.0.0.1}, each part 1-3
 * decimal digits, at most 255) and IPv6 in hex groups with at most one {@code ::} ({@code ::1},
 * {@code 0:0:0:0:0:0:0:1}, the form {@code InetAddress.getHostAddress} writes); a {@code %zone} suffix is
 * dropped (an endpoint cannot carry it). No host names and no look-ups: that is the host layer's job.
 * Written by hand because {@code String.split} and regular expressions bloat the wasm module.
 */
public final class IpLiteral {
    /** Longest text tried: a full IPv6 address with a zone id is well under this. */
    public static final int MAX_TEXT = 64;

    private IpLiteral() {
    }

    /** The 4 or 16 bytes of {@code text}, or null when it is not an IP literal. */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
            return null;
        }
        int zone = text.indexOf('%');
        String t = zone >= 0 ? text.substring(0, zone) : text;
        return t.indexOf(':') >= 0 ? parse6(t) : parse4(t);
    }

    private static byte[] parse4(String t) {
        byte[] ip = new byte[4];
        int start = 0;
        for (int i = 0; i < 4; i++) {
            int end = i < 3 ? t.indexOf('.', start) : t.length();
            int v = end < 0 || end - start > 3 ? -1 : Address.parseDecimal(t, start, end, 255);
            if (v < 0) {
                return null;
            }
            ip[i] = (byte) v;
            start = end + 1;
        }
        return ip;
    }

    private static byte[] parse6(String t) {
        int gap = t.indexOf("::");
        if (gap >= 0 && t.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(t, 0, gap < 0 ? t.length() : gap);
        int[] tail = gap < 0 ? new int[0] : groups(t, gap + 2, t.length());
        if (head == null || tail == null) {
            return null;
        }
        int n = head.length + tail.length;
        if (gap < 0 ? n != 8 : n > 7) {
            return null;
        }
        byte[] ip = new byte[16];
        for (int i = 0; i < head.length; i++) {
            putGroup(ip, i, head[i]);
        }
        for (int i = 0; i < tail.length; i++) {
            putGroup(ip, 8 - tail.length + i, tail[i]);
        }
        return ip;
    }

    /** Colon-separated hex groups of 1-4 digits in t[from, to); an empty range is no group; null if malformed. */
    private static int[] groups(String t, int from, int to) {
        if (from == to) {
            return new int[0];
        }
        int count = 1;
        for (int i = from; i < to; i++) {
            if (t.charAt(i) == ':') {
                count++;
            }
        }
        if (count > 8) {
            return null;
        }
        int[] out = new int[count];
        int start = from;
        for (int g = 0; g < count; g++) {
            int end = t.indexOf(':', start);
            if (end < 0 || end > to) {
                end = to;
            }
            if (end == start || end - start > 4) {
                return null;
            }
            int v = 0;
            for (int i = start; i < end; i++) {
                int d = AsciiHex.digit(t.charAt(i));
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out[g] = v;
            start = end + 1;
        }
        return out;
    }

    /** Dotted IPv4, or IPv6 as eight hex groups without leading zeros ({@code 0:0:0:0:0:0:0:1}). */
    public static String text(byte[] ip) {
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

    private static void putGroup(byte[] ip, int group, int v) {
        ip[2 * group] = (byte) (v >> 8);
        ip[2 * group + 1] = (byte) v;
    }
}
