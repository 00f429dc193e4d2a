package pilot.core.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;

/**
 * Every handshake bound has a floor below which it would switch a defence off (a zero rate, no peers, more
 * half-open exchanges than peers): such limits are refused when built, not discovered under attack.
 */
class HandshakeLimitsTest {
    /** Each bound and the first value it refuses. */
    static final Map<String, Object> REFUSED = Map.ofEntries(
            Map.entry("maxPeers", 0), Map.entry("maxHalfOpen", 0), Map.entry("kxPerSecond", 0),
            Map.entry("maxKxSources", 0), Map.entry("failureRun", 0), Map.entry("retiredKeysPerPeer", -1),
            Map.entry("kxPerEndpointPerSecond", 0), Map.entry("kxNewPerSecond", 0), Map.entry("kxGlobalPerSecond", 0),
            Map.entry("keyHistoryNodes", 0), Map.entry("lookupsPerSecond", 0), Map.entry("negativeLookupMillis", -1L),
            Map.entry("maxNegativeLookups", 0));

    static HandshakeLimits defaultsWith(String name, Object value) throws ReflectiveOperationException {
        RecordComponent[] rc = HandshakeLimits.class.getRecordComponents();
        Object[] args = new Object[rc.length];
        Class<?>[] types = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            types[i] = rc[i].getType();
            args[i] = rc[i].getName().equals(name) ? value : rc[i].getAccessor().invoke(HandshakeLimits.DEFAULTS);
        }
        Constructor<HandshakeLimits> c = HandshakeLimits.class.getDeclaredConstructor(types);
        return c.newInstance(args);
    }

    @Test
    void everyBoundBelowItsFloorIsRefused() {
        for (Map.Entry<String, Object> e : REFUSED.entrySet()) {
            InvocationTargetException t = assertThrows(InvocationTargetException.class,
                    () -> defaultsWith(e.getKey(), e.getValue()), e.getKey());
            assertInstanceOf(IllegalArgumentException.class, t.getCause(), e.getKey());
        }
    }

    @Test
    void moreHalfOpenExchangesThanPeersIsRefusedAndEqualIsAllowed() throws ReflectiveOperationException {
        int peers = HandshakeLimits.DEFAULTS.maxPeers();
        assertThrows(InvocationTargetException.class, () -> defaultsWith("maxHalfOpen", peers + 1));
        assertEquals(peers, defaultsWith("maxHalfOpen", peers).maxHalfOpen());
    }

    @Test
    void aKeyExchangeNeedsEveryCollaborator() {
        CryptoSuite suite = new BouncyCastleSuite();
        LocalIdentity id = new LocalIdentity(1, suite.ed25519(new byte[32]));
        PinnedTrust trust = new PinnedTrust();
        SeededEntropy e = new SeededEntropy(1);
        HandshakeLimits l = HandshakeLimits.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> new KeyExchange(id, null, e, trust, WireProfile.MODERN, l));
        assertThrows(IllegalArgumentException.class, () -> new KeyExchange(id, suite, null, trust, WireProfile.MODERN, l));
        assertThrows(IllegalArgumentException.class, () -> new KeyExchange(id, suite, e, null, WireProfile.MODERN, l));
        assertThrows(IllegalArgumentException.class, () -> new KeyExchange(id, suite, e, trust, null, l));
        assertThrows(IllegalArgumentException.class, () -> new KeyExchange(id, suite, e, trust, WireProfile.MODERN, null));
    }
}
