package pilot.core.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.wire.Hex;

/** ipLen ‖ ip ‖ port ‖ frame, both ways, for 4- and 16-byte addresses, and each malformed header's error. */
class RelayMessageTest {
    @Test
    void ipv4AndIpv6RoundTrip() {
        byte[] frame = {'P', 'I', 'L', 'S', 1, 2};
        Endpoint v4 = Endpoint.ipv4(127, 0, 0, 1, 4000);
        byte[] m4 = RelayMessage.encode(v4, frame, 0, frame.length);
        assertEquals("047f0000010fa0" + "50494c530102", Hex.encode(m4));
        RelayMessage d4 = RelayMessage.decode(m4).value();
        assertEquals(v4, d4.peer());
        assertEquals(RelayMessage.HEADER_V4, d4.frameOffset());

        Endpoint v6 = Endpoint.parse("::1", 65535).value();
        byte[] m6 = RelayMessage.encode(v6, frame, 2, 4);
        assertEquals("10" + "00".repeat(15) + "01" + "ffff" + "4c530102", Hex.encode(m6));
        RelayMessage d6 = RelayMessage.decode(m6).value();
        assertEquals(v6, d6.peer());
        assertEquals(RelayMessage.HEADER_V6, d6.frameOffset());
        assertEquals(RelayMessage.size(v6, 4), m6.length);
    }

    @Test
    void anEndpointAloneIsAMessageWithAnEmptyFrame() {
        byte[] m = RelayMessage.encode(Endpoint.ipv4(10, 0, 0, 1, 1), new byte[0], 0, 0);
        assertArrayEquals(Hex.decode("040a0000010001"), m);
        assertEquals(7, RelayMessage.decode(m).value().frameOffset());
    }

    @Test
    void malformedHeadersHaveTypedErrors() {
        assertEquals(ErrorCode.TRUNCATED, RelayMessage.decode(new byte[0]).error());
        assertEquals(ErrorCode.TRUNCATED, RelayMessage.decode(null).error());
        assertEquals(ErrorCode.TRUNCATED, RelayMessage.decode(Hex.decode("047f00000110")).error());
        assertEquals(ErrorCode.TRUNCATED, RelayMessage.decode(Hex.decode("10" + "00".repeat(16) + "01")).error());
        assertEquals(ErrorCode.BAD_LENGTH, RelayMessage.decode(Hex.decode("057f0000010a0fa0")).error());
        assertEquals(ErrorCode.BAD_LENGTH, RelayMessage.decode(Hex.decode("00")).error());
        assertEquals(ErrorCode.BAD_ADDRESS, RelayMessage.decode(Hex.decode("047f0000010000")).error());
        byte[] huge = new byte[RelayMessage.MAX_BYTES + 1];
        huge[0] = 4;
        huge[6] = 1;
        assertEquals(ErrorCode.BAD_LENGTH, RelayMessage.decode(huge).error());
        huge = java.util.Arrays.copyOf(huge, RelayMessage.MAX_BYTES);
        assertEquals(7, RelayMessage.decode(huge).value().frameOffset());
    }
}
