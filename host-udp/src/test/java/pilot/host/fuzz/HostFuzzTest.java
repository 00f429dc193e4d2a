package pilot.host.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Replays the committed corpus of the host fuzz targets in the normal test run; scripts/fuzz.sh fuzzes them. */
class HostFuzzTest {
    @FuzzTest
    void registryWire(byte[] input) {
        HostFuzzTargets.registryWire(input);
    }

    @FuzzTest
    void registryRequests(FuzzedDataProvider input) throws Exception {
        HostFuzzTargets.registryRequests(input);
    }

    @FuzzTest
    void identityFiles(String input) {
        HostFuzzTargets.identityFiles(input);
    }

    @FuzzTest
    void relayFraming(byte[] input) {
        HostFuzzTargets.relayFraming(input);
    }
}
