package pilot.core.addr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;

/** Endpoint.parse and IpLiteral: dotted IPv4 and IPv6 text, nothing else (no host names, no hex blobs). */
class EndpointTest {
    @Test
    void parsesDottedIpv4() {
        assertEquals(Endpoint.ipv4(127, 0, 0, 1, 4000), Endpoint.parse("127.0.0.1", 4000).value());
        assertEquals(ErrorCode.INVALID_ARGUMENT, Endpoint.parse("127.0.0.256", 4000).error());
    }

    @Test
    void parsesIpv6Text() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        for (String t : new String[] {"::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::1%lo"}) {
            assertArrayEquals(loopback, Endpoint.parse(t, 4000).value().ip(), t);
        }
        assertEquals("[0:0:0:0:0:0:0:1]:4000", Endpoint.parse("::1", 4000).value().toString());
        byte[] doc = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xab, (byte) 0xCD};
        assertArrayEquals(doc, Endpoint.parse("2001:DB8::abCD", 1).value().ip());
        assertArrayEquals(new byte[16], IpLiteral.parse("::"));
        assertEquals("2001:db8:0:0:0:0:0:abcd", IpLiteral.text(doc));
    }

    @Test
    void refusesEverythingElse() {
        for (String bad : new String[] {"00000000000000000000000000000001", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "12345::", ":1", "1:", "::g", "1.2.3", "1.2.3.4.5", "1..2.3", "0001.2.3.4", "localhost", "", "%lo", "[::1]", "::\uff11"}) {
            assertFalse(Endpoint.parse(bad, 4000).isOk(), bad);
            assertNull(IpLiteral.parse(bad), bad);
        }
        assertNull(IpLiteral.parse(null));
        assertNull(IpLiteral.parse("1".repeat(IpLiteral.MAX_TEXT + 1)));
    }
}
