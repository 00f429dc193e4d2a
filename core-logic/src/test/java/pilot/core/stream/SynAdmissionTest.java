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

    /**
     * Probe of Nov 30: one session sending 400 SYN/s got ~10/s admitted, but its refused SYNs had already
     * spent the node-wide 100/s, so an honest peer's SYNs were dropped. The per-source bucket is asked first.
     */
    @Test
    void aSourceOverItsOwnRateDoesNotSpendTheNodesSynRate() {
        StreamTable.Limits d = StreamTable.Limits.DEFAULTS;
        SynAdmission a = new SynAdmission(d);
        int honestAdmitted = 0;
        int honestSent = 0;
        for (long now = 0; now < 5_000; now += 10) {
            for (int i = 0; i < 4; i++) {
                a.rateAllows(A, now); // 400 SYN/s from one source
            }
            if (now % 200 == 0) { // 5 SYN/s, within its own rate
                honestSent++;
                honestAdmitted += a.rateAllows(B, now) ? 1 : 0;
            }
        }
        assertEquals(honestSent, honestAdmitted, "every honest SYN is admitted beside the flood");
        long floodAdmitted = d.synPerSourcePerSecond() + 4_990L * d.synPerSourcePerSecond() / 1000; // the burst, then the rate
        assertEquals(2_000 - floodAdmitted, a.refused(), "the flood's refused SYNs are counted");
    }

    @Test
    void withNoStreamHeldTheBoundsAllowAndCountNothing() {
        SynAdmission a = new SynAdmission(new StreamTable.Limits(1, 1, 100, 10, 16));
        assertEquals(SynAdmission.ADMIT, a.bounds(80, A, new StreamIndex()));
        assertEquals(0, a.refused(), "the bounds themselves: StreamTableTest, HostilePeerTest");
    }
}
