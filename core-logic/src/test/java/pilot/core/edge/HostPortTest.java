package pilot.core.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.edge.HostPort.Rule;

/** The one host:port parser: every form, each rule, and what each refuses (with BAD_ADDRESS). */
class HostPortTest {
    private static final byte[] LOOP6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void ipv4AndBothIpv6Spellings() {
        HostPort v4 = HostPort.parse("127.0.0.1:9000", Rule.IP).value();
        assertEquals(Endpoint.ipv4(127, 0, 0, 1, 9000), v4.endpoint());
        assertEquals("127.0.0.1:9000", v4.toString());
        for (String t : new String[] {"[::1]:4000", "::1:4000", "0:0:0:0:0:0:0:1:4000", "[0:0:0:0:0:0:0:1]:4000"}) {
            HostPort h = HostPort.parse(t, Rule.IP).value();
            assertArrayEquals(LOOP6, h.ip(), t);
            assertEquals(4000, h.port(), t);
            assertEquals("[0:0:0:0:0:0:0:1]:4000", h.toString(), t);
        }
    }

    @Test
    void hostNamesOnlyWhereTheRuleAllowsThem() {
        assertEquals(ErrorCode.BAD_ADDRESS, HostPort.parse("localhost:9000", Rule.IP).error());
        HostPort h = HostPort.parse("relay-1.example.com:443", Rule.NAME).value();
        assertEquals("relay-1.example.com", h.host());
        assertNull(h.ip());
        assertNull(h.endpoint());
        assertEquals("relay-1.example.com:443", h.toString());
    }

    @Test
    void portZeroOnlyToBind() {
        assertEquals(0, HostPort.parse("127.0.0.1:0", Rule.BIND).value().port());
        assertNull(HostPort.parse("127.0.0.1:0", Rule.BIND).value().endpoint());
        assertFalse(HostPort.parse("127.0.0.1:0", Rule.NAME).isOk());
        assertFalse(HostPort.parse("127.0.0.1:0", Rule.IP).isOk());
    }

    @Test
    void refusals() {
        String[] bad = {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1: 80",
            "127.0.0.1:123456", ":80", "[::1:80", "[127.0.0.1]:80", "[]:80", "300.1.1.1:80", "1.2.3:80", "a..b:80",
            "-a:80", "a-:80", "a_b:80", "[localhost]:80", "1::2::3:80", "x".repeat(254) + ":80", "9".repeat(300)};
        for (String t : bad) {
            assertEquals(ErrorCode.BAD_ADDRESS, HostPort.parse(t, Rule.BIND).error(), t);
        }
        assertEquals(ErrorCode.BAD_ADDRESS, HostPort.parse(null, Rule.BIND).error());
    }

    @Test
    void valuesCompareByHostAddressAndPort() {
        HostPort a = HostPort.parse("[::1]:4000", Rule.IP).value();
        assertEquals(a, HostPort.parse("[::1]:4000", Rule.NAME).value());
        assertEquals(a.hashCode(), HostPort.parse("[::1]:4000", Rule.NAME).value().hashCode());
        assertFalse(a.equals(HostPort.parse("[::1]:4001", Rule.IP).value()));
        assertFalse(a.equals(HostPort.parse("0:0:0:0:0:0:0:1:4000", Rule.IP).value()), "written differently: host text differs");
        assertFalse(a.equals("[::1]:4000"));
        byte[] ip = a.ip();
        ip[0] = 9;
        assertArrayEquals(LOOP6, a.ip(), "ip() is a copy");
    }

    @Test
    void portOfAListenAddressIgnoresItsHost() {
        assertEquals(4000, HostPort.portOf(":4000"));
        assertEquals(4000, HostPort.portOf("0.0.0.0:4000"));
        assertEquals(4000, HostPort.portOf("anything at all:4000"));
        for (String t : new String[] {"4000", "host:", "host:0", "host:65536", "host:4x", null}) {
            assertEquals(-1, HostPort.portOf(t), t);
        }
    }
}
