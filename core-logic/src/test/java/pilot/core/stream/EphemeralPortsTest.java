package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;

class EphemeralPortsTest {
    private static final Address PEER = new Address(0, 9);
    private final StreamIndex none = new StreamIndex();
    private final ListeningPorts listening = new ListeningPorts();

    private int next(EphemeralPorts ports) {
        return ports.allocate(none, listening, PEER, 80);
    }

    @Test
    void startsWhereToldFoldedIntoTheRangeAndWraps() {
        assertEquals(Ports.EPHEMERAL_FIRST + 5, next(new EphemeralPorts(5)));
        assertEquals(Ports.EPHEMERAL_FIRST, next(new EphemeralPorts(16_384)), "folded");
        assertEquals(Ports.EPHEMERAL_LAST, next(new EphemeralPorts(-1)), "negative starts fold too");
        EphemeralPorts last = new EphemeralPorts(16_383);
        assertEquals(Ports.EPHEMERAL_LAST, next(last));
        assertEquals(Ports.EPHEMERAL_FIRST, next(last), "wraps after 65535");
    }

    @Test
    void skipsListeningPortsAndGivesUpAfterTheWholeRange() {
        EphemeralPorts ports = new EphemeralPorts(0);
        listening.add(Ports.EPHEMERAL_FIRST);
        listening.add(Ports.EPHEMERAL_FIRST + 1);
        assertEquals(Ports.EPHEMERAL_FIRST + 2, next(ports));
        assertEquals(Ports.EPHEMERAL_FIRST + 3, next(ports), "the cursor moved past the port it gave");
        for (int p = Ports.EPHEMERAL_FIRST; p <= Ports.EPHEMERAL_LAST; p++) {
            listening.add(p);
        }
        assertEquals(-1, next(ports), "every port tried once, then -1");
        listening.remove(Ports.EPHEMERAL_FIRST + 3);
        assertEquals(Ports.EPHEMERAL_FIRST + 3, next(ports), "found again after a full turn of the cursor");
    }
}
