package pilot.core.edge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The exact text of every signed edge message; node ids above 2^31 are written unsigned. */
class SignedTextsTest {
    private static final String KEY = "Amyybtn1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    @Test
    void relayTexts() {
        assertEquals("pilot_relay_auth:00ff:" + KEY, SignedTexts.relayAuth("00ff", KEY));
        assertEquals("pilot_relay_dial:00ff:" + KEY, SignedTexts.relayDial("00ff", KEY));
    }

    @Test
    void registryTexts() {
        assertEquals("register:" + KEY + ":127.0.0.1:4000:1700000000000", SignedTexts.register(KEY, "127.0.0.1:4000", 1_700_000_000_000L));
        assertEquals("set_visibility:4294967295", SignedTexts.setVisibility(-1));
        assertEquals("set_visibility:16:true:5", SignedTexts.setVisibilityStamped(16, true, 5));
        assertEquals("set_visibility:16:false:5", SignedTexts.setVisibilityStamped(16, false, 5));
        assertEquals("heartbeat:2147483648", SignedTexts.heartbeat(Integer.MIN_VALUE));
        assertEquals("resolve:17:16", SignedTexts.resolve(17, 16));
    }

    @Test
    void signedBytesAreAsciiAndNeverLonger() {
        assertArrayEquals(new byte[] {'h', 'i'}, SignedTexts.ascii("hi"));
        assertArrayEquals(new byte[] {'a', '?', 'b'}, SignedTexts.ascii("a\u00e9b"));
    }
}
