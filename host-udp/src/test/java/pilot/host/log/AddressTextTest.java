package pilot.host.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Addresses in logs and messages are HOST:PORT as the options take them, never InetSocketAddress's "/1.2.3.4:9". */
class AddressTextTest {
    @Test
    void ipv4AsItIsIpv6InBracketsAndNoSlash() throws Exception {
        assertEquals("127.0.0.1:9000", AddressText.of(new InetSocketAddress("127.0.0.1", 9000)));
        // IPv6 as the core's HostPort and the registry write it: every group, in brackets
        assertEquals("[0:0:0:0:0:0:0:1]:8443", AddressText.of(new InetSocketAddress("::1", 8443)));
        assertEquals("[2001:db8:0:0:0:0:0:7]:1", AddressText.of(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 1)));
        assertEquals("0.0.0.0:443", AddressText.of(new InetSocketAddress("0.0.0.0", 443)));
        assertEquals("relay.invalid:80", AddressText.of(InetSocketAddress.createUnresolved("relay.invalid", 80)));
        // a name given on the command line is written as the address it resolved to
        assertEquals("127.0.0.1:5", AddressText.of(new InetSocketAddress(InetAddress.getByAddress("localhost",
                new byte[] {127, 0, 0, 1}), 5)));
    }
}
