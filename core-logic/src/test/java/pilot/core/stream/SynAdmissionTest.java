package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;

class SynAdmissionTest {
    private static final Address A = new Address(0, 1);
    private static final Address B = new Address(0, 2);

    @Test
    void overASynRateTheSynIsDroppedAndCounted() {
        SynAdmission perSource = new SynAdmission(new StreamTable.Limits(10, 10, 100, 2, 16));
        StreamIndex none = new StreamIndex();
        assertEquals(SynAdmission.Verdict.ADMIT, perSource.admit(A, 80, none, 0));
        assertEquals(SynAdmission.Verdict.ADMIT, perSource.admit(A, 80, none, 0));
        assertEquals(SynAdmission.Verdict.DROP, perSource.admit(A, 80, none, 0), "third SYN of A within the second");
        assertEquals(SynAdmission.Verdict.ADMIT, perSource.admit(B, 80, none, 0), "another source has its own budget");
        assertEquals(1, perSource.refused());

        SynAdmission global = new SynAdmission(new StreamTable.Limits(10, 10, 1, 10, 16));
        assertEquals(SynAdmission.Verdict.ADMIT, global.admit(A, 80, none, 0));
        assertEquals(SynAdmission.Verdict.DROP, global.admit(B, 80, none, 0), "the node-wide rate");
        assertEquals(1, global.refused());
    }
}
