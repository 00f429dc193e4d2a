package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import pilot.host.relay.RelayPolicy.Key;
import pilot.host.relay.RelayPolicy.Login;

/** Who may hold a relay connection, without sockets: every step of {@link RelayPolicy} and its bounds. */
class RelayPolicyTest {
    static final RelayLimits LIMITS = new RelayLimits(4, 10_000, 90_000, 1 << 20, 64L << 20, 100, 8)
            .withLogins(3, 2, 3, 2);

    static Key key(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) n;
        b[1] = (byte) (n >> 8);
        return new Key(b);
    }

    @Test
    void socketsAreBoundedPerIpAndInTotal() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of());
        assertTrue(p.admitSocket("a") && p.admitSocket("a") && p.admitSocket("a"));
        assertFalse(p.admitSocket("a"), "maxConnectionsPerIp = 3");
        assertTrue(p.admitSocket("b") && p.admitSocket("b") && p.admitSocket("b") && p.admitSocket("c") && p.admitSocket("c"));
        assertFalse(p.admitSocket("d"), "maxSockets = 2 x maxConnections = 8");
        p.socketClosed("a");
        assertTrue(p.admitSocket("d"));
        p.socketClosed("never-admitted"); // does not go negative
        assertEquals(8, p.sockets());
    }

    @Test
    void anIpv6SubscribersWholeSlash64IsOneSourceAsInTheRegistry() throws Exception {
        // one IPv6 subscriber holds a /64: counted per address, it would have 2^64 budgets of sockets and logins
        java.util.function.Function<String, String> src = a -> {
            try {
                return RelayPolicy.sourceOf(java.net.InetAddress.getByName(a));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        };
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of());
        assertTrue(p.admitSocket(src.apply("2001:db8:1:2::1")) && p.admitSocket(src.apply("2001:db8:1:2::2"))
                && p.admitSocket(src.apply("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assertFalse(p.admitSocket(src.apply("2001:db8:1:2::99")), "the same /64: maxConnectionsPerIp = 3");
        assertTrue(p.admitSocket(src.apply("2001:db8:1:3::1")), "the next /64 is another source");
        assertEquals("127.0.0.1", src.apply("127.0.0.1"), "IPv4: the address");
        for (int i = 0; i < 2; i++) {
            assertTrue(p.loginAttempt(src.apply("2001:db8:9:9::" + (i + 1)), 0));
        }
        assertFalse(p.loginAttempt(src.apply("2001:db8:9:9::77"), 0), "logins per second per source: 2");
    }

    @Test
    void loginAttemptsAreRateLimitedPerIp() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of());
        assertTrue(p.loginAttempt("a", 0) && p.loginAttempt("a", 0));
        assertFalse(p.loginAttempt("a", 0), "2 per second, burst 2");
        assertTrue(p.loginAttempt("b", 0), "another IP has its own budget");
        assertTrue(p.loginAttempt("a", 500), "refills with time");
    }

    @Test
    void unknownKeysAreProvisionalWithinABoundedPoolUntilRegistered() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of());
        assertInstanceOf(Login.Provisional.class, p.login(1, "a", key(1)));
        assertInstanceOf(Login.Provisional.class, p.login(2, "a", key(2)));
        assertInstanceOf(Login.Refused.class, p.login(3, "a", key(3)), "maxProvisionalPerIp = 2");
        assertInstanceOf(Login.Provisional.class, p.login(4, "b", key(4)));
        assertInstanceOf(Login.Refused.class, p.login(5, "c", key(5)), "maxProvisional = 3");
        p.registered(1, key(1)); // register_ok: promoted, its slot freed, the key remembered
        assertEquals(2, p.provisionalLogins());
        assertFalse(p.isProvisional(1));
        assertInstanceOf(Login.Provisional.class, p.login(5, "c", key(5)));
        p.loggedOut(1, key(1));
        assertInstanceOf(Login.Full.class, p.login(6, "z", key(1)), "a key seen registered logs in at once");
        p.loggedOut(2, key(2));
        p.loggedOut(4, key(4));
        p.loggedOut(5, key(5));
        assertEquals(0, p.provisionalLogins());
    }

    @Test
    void withAnAllowListOnlyThoseKeysLogIn() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of(key(1)));
        assertEquals(new Login.Full(-1), p.login(1, "a", key(1)));
        assertInstanceOf(Login.Refused.class, p.login(2, "a", key(2)));
        assertEquals(0, p.provisionalLogins());
    }

    @Test
    void aNewerLoginOfAKeyReplacesTheOlderConnection() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of(key(1)));
        assertEquals(new Login.Full(-1), p.login(1, "a", key(1)));
        assertEquals(new Login.Full(1), p.login(2, "b", key(1)));
        p.loggedOut(1, key(1)); // the replaced connection closing does not log out the newer one
        assertEquals(1, p.liveKeys());
        assertEquals(new Login.Full(2), p.login(3, "a", key(1)));
    }

    @Test
    void aReplacedProvisionalLoginHandsOverItsSlot() {
        RelayPolicy p = new RelayPolicy(LIMITS, Set.of());
        assertEquals(new Login.Provisional(-1), p.login(1, "a", key(1)));
        assertEquals(new Login.Provisional(1), p.login(2, "a", key(1)));
        assertEquals(1, p.provisionalLogins());
        p.loggedOut(1, key(1));
        assertEquals(1, p.provisionalLogins());
        p.registered(2, key(1));
        assertEquals(0, p.provisionalLogins());
    }

    @Test
    void knownKeysAreBounded() {
        RelayLimits l = LIMITS;
        RelayLimits tiny = new RelayLimits(l.maxConnections(), l.authTimeoutMillis(), l.idleTimeoutMillis(), l.maxQueuedBytes(),
                l.maxTotalQueuedBytes(), l.packetsPerSecond(), l.maxDestinations(), l.maxUpgradeBytes(),
                l.handshakeTimeoutMillis(), l.maxConnectionsPerIp(), l.loginsPerSecondPerIp(), l.maxProvisional(),
                l.maxProvisionalPerIp(), 1, l.maxPendingPeers(), l.pendingPeerMillis(), l.strangerFramesPerSecond());
        RelayPolicy p = new RelayPolicy(tiny, Set.of());
        p.login(1, "a", key(1));
        p.registered(1, key(1));
        p.login(2, "a", key(2));
        p.registered(2, key(2));
        assertTrue(p.isKnown(key(1)));
        assertFalse(p.isKnown(key(2)), "maxKnownKeys = 1: the second is served but not remembered");
    }
}
