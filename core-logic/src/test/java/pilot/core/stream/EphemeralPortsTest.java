package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Ports;

class EphemeralPortsTest {
    @Test
    void startsWhereToldFoldedIntoTheRangeAndWraps() {
        assertEquals(Ports.EPHEMERAL_FIRST + 5, new EphemeralPorts(5).allocate(p -> false));
        assertEquals(Ports.EPHEMERAL_FIRST, new EphemeralPorts(16_384).allocate(p -> false), "folded");
        assertEquals(Ports.EPHEMERAL_LAST, new EphemeralPorts(-1).allocate(p -> false), "negative starts fold too");
        EphemeralPorts last = new EphemeralPorts(16_383);
        assertEquals(Ports.EPHEMERAL_LAST, last.allocate(p -> false));
        assertEquals(Ports.EPHEMERAL_FIRST, last.allocate(p -> false), "wraps after 65535");
    }

    @Test
    void skipsPortsInUseAndGivesUpAfterTheWholeRange() {
        EphemeralPorts ports = new EphemeralPorts(0);
        assertEquals(Ports.EPHEMERAL_FIRST + 2, ports.allocate(p -> p < Ports.EPHEMERAL_FIRST + 2));
        assertEquals(Ports.EPHEMERAL_FIRST + 3, ports.allocate(p -> false), "the cursor moved past the port it gave");
        Set<Integer> asked = new HashSet<>();
        assertEquals(-1, ports.allocate(p -> asked.add(p) || true));
        assertEquals(16_384, asked.size(), "every port tried once, then -1");
    }
}
