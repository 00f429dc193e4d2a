package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Endpoint;

/**
 * What a registry's resolve answer becomes: an IP literal and a port, in either IPv6 spelling; a host name
 * is refused rather than looked up (the look-up thread must never wait on DNS for a name a registry chose).
 */
class ResolvedEndpointTest {
    @Test
    void ipLiteralsInTheRegistrysSpellings() throws IOException {
        assertEquals(Endpoint.ipv4(127, 0, 0, 1, 4000), HostDaemon.resolvedEndpoint("127.0.0.1:4000"));
        assertEquals(Endpoint.parse("::1", 4000).value(), HostDaemon.resolvedEndpoint("0:0:0:0:0:0:0:1:4000"));
        assertEquals(Endpoint.parse("::1", 4000).value(), HostDaemon.resolvedEndpoint("[::1]:4000"));
    }

    @Test
    void namesAndMalformedAnswersAreRefused() {
        for (String bad : new String[] {"localhost:4000", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:x", ""}) {
            assertThrows(IOException.class, () -> HostDaemon.resolvedEndpoint(bad), bad);
        }
    }
}
