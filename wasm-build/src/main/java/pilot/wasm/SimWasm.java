package pilot.wasm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.teavm.jso.JSExport;
import pilot.core.json.Json;
import pilot.core.sim.SimConfig;
import pilot.core.sim.SimReport;
import pilot.core.sim.Simulation;

/**
 * A second, test-only module (pilot-sim.wasm): the network simulation compiled to wasm, so Node and
 * workerd can show that the same seeds give the same trace hash as the JVM. Not part of pilot-core.wasm.
 */
public final class SimWasm {
    private SimWasm() {
    }

    public static void main(String[] args) {
        // entry point for TeaVM; see simRun
    }

    /** Runs {@code SimConfig.forSeed(seed, bytes)}: {ok, trace, packets, stream_bytes, violations}. */
    @JSExport
    public static String simRun(String seed, int bytesPerStream) {
        SimReport r = Simulation.run(SimConfig.forSeed(Long.parseLong(seed), bytesPerStream));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.ok());
        m.put("trace", r.traceHex());
        m.put("packets", r.packets());
        m.put("stream_bytes", r.streamBytes());
        m.put("violations", r.violations());
        return Json.write(m);
    }
}
