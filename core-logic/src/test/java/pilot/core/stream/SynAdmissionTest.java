package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;

class SynAdmissionTest {
    private static final Address A = new Address(0, 1);
    private static final Address B = new Address(0, 2);

    @Test
    void overASynRateTheSynIsRefusedAndCounted() {
        SynAdmission perSource = new SynAdmission(new StreamTable.Limits(10, 10, 100, 2, 16));
        assertTrue(perSource.rateAllows(A, 0));
        assertTrue(perSource.rateAllows(A, 0));
        assertFalse(perSource.rateAllows(A, 0), "third SYN of A within the second");
        assertTrue(perSource.rateAllows(B, 0), "another source has its own budget");
        assertEquals(1, perSource.refused());

        SynAdmission global = new SynAdmission(new StreamTable.Limits(10, 10, 1, 10, 16));
        assertTrue(global.rateAllows(A, 0));
        assertFalse(global.rateAllows(B, 0), "the node-wide rate");
        assertEquals(1, global.refused());
    }

    @Test
    void withNoStreamHeldTheBoundsAllowAndCountNothing() {
        SynAdmission a = new SynAdmission(new StreamTable.Limits(1, 1, 100, 10, 16));
        assertTrue(a.boundsAllow(80, new StreamIndex()));
        assertEquals(0, a.refused(), "the bounds themselves: StreamTableTest, HostilePeerTest");
    }
}
