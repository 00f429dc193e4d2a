package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class SourceKeyTest {
    @Test
    void ipv4CountsPerAddressAndIpv6PerSlash64() throws UnknownHostException {
        // literals only: nothing is sent anywhere
        assertEquals("127.0.0.1", SourceKey.of(InetAddress.getByName("127.0.0.1")));
        assertEquals(SourceKey.of(InetAddress.getByName("2001:db8:1:2::1")), SourceKey.of(InetAddress.getByName("2001:db8:1:2:ffff::9")));
        assertNotEquals(SourceKey.of(InetAddress.getByName("2001:db8:1:2::1")), SourceKey.of(InetAddress.getByName("2001:db8:1:3::1")));
        assertEquals("20010db800010002::/64", SourceKey.of(InetAddress.getByName("2001:db8:1:2::1")));
    }
}
