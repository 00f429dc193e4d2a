package pilot.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays the committed corpus of every core fuzz target (src/test/resources/pilot/core/fuzz/
 * DecoderFuzzTestInputs/&lt;target&gt;) in the normal test run; scripts/fuzz.sh does the fuzzing.
 */
class DecoderFuzzTest {
    @FuzzTest
    void packetDecode(byte[] input) {
        FuzzTargets.packetDecode(input);
    }

    @FuzzTest
    void frameDecode(byte[] input) {
        FuzzTargets.frameDecode(input);
    }

    @FuzzTest
    void textParsers(FuzzedDataProvider input) {
        FuzzTargets.textParsers(input);
    }

    @FuzzTest
    void envelopeOpen(FuzzedDataProvider input) {
        FuzzTargets.envelopeOpen(input);
    }

    @FuzzTest
    void keyExchange(FuzzedDataProvider input) {
        FuzzTargets.keyExchange(input);
    }

    @FuzzTest
    void nodeDatagrams(FuzzedDataProvider input) {
        FuzzTargets.nodeDatagrams(input);
    }

    @FuzzTest
    void snapshotRestore(byte[] input) {
        FuzzTargets.snapshotRestore(input);
    }
}
