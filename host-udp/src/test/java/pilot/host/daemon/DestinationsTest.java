package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Endpoint;

class DestinationsTest {
    @Test
    void givesTheEndpointsSocketAddressAndReusesIt() throws Exception {
        Destinations d = new Destinations();
        InetSocketAddress a = d.of(Endpoint.ipv4(127, 0, 0, 1, 4000));
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), a);
        assertSame(a, d.of(Endpoint.ipv4(127, 0, 0, 1, 4000)));
        byte[] v6 = new byte[16];
        v6[15] = 1;
        assertEquals(new InetSocketAddress("::1", 9), d.of(new Endpoint(v6, 9)));
    }

    @Test
    void staysWithinItsBoundWhateverTheNumberOfDestinations() throws Exception {
        Destinations d = new Destinations();
        for (int i = 0; i < 3 * Destinations.MAX; i++) {
            InetSocketAddress a = d.of(Endpoint.ipv4(10, i >> 16 & 0xFF, i >> 8 & 0xFF, i & 0xFF, 1 + (i % 60000)));
            assertEquals(1 + (i % 60000), a.getPort());
            assertTrue(d.size() <= Destinations.MAX, "size " + d.size());
        }
    }
}
