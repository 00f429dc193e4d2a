package pilot.core.addr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;

/** Endpoint.parse: dotted IPv4, and IPv6 as 32 hex digits (the wasm boundary's form). */
class EndpointTest {
    @Test
    void parsesDottedIpv4() {
        assertEquals(Endpoint.ipv4(127, 0, 0, 1, 4000), Endpoint.parse("127.0.0.1", 4000).value());
        assertEquals(ErrorCode.INVALID_ARGUMENT, Endpoint.parse("127.0.0.256", 4000).error());
    }

    @Test
    void parsesIpv6AsThirtyTwoHexDigits() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        Endpoint e = Endpoint.parse("00000000000000000000000000000001", 4000).value();
        assertArrayEquals(loopback, e.ip());
        assertEquals("[0:0:0:0:0:0:0:1]:4000", e.toString());
        byte[] doc = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xab, (byte) 0xCD};
        assertArrayEquals(doc, Endpoint.parse("20010DB800000000000000000000abCD", 1).value().ip());
    }

    @Test
    void refusesOtherIpv6Spellings() {
        for (String bad : new String[] {"::1", "0:0:0:0:0:0:0:1", "0000000000000000000000000000000g", "000000000000000000000000000001"}) {
            assertFalse(Endpoint.parse(bad, 4000).isOk(), bad);
        }
    }
}
