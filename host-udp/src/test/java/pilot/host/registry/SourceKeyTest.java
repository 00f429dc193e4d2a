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

    @Test
    void ipv6AlsoCountsPerSlash48() throws UnknownHostException {
        assertEquals("20010db80001::/48", SourceKey.wide(InetAddress.getByName("2001:db8:1:2::1")));
        assertEquals(SourceKey.wide(InetAddress.getByName("2001:db8:1:2::1")), SourceKey.wide(InetAddress.getByName("2001:db8:1:ffff::1")));
        assertNotEquals(SourceKey.wide(InetAddress.getByName("2001:db8:1::1")), SourceKey.wide(InetAddress.getByName("2001:db8:2::1")));
        assertEquals(null, SourceKey.wide(InetAddress.getByName("127.0.0.1")));
    }
}
