package pilot.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.envelope.WireProfile;

/**
 * The network simulation at the scale of issue 5: at least 200 seeds and 1,000,000 simulated packets
 * with zero invariant violations. A failing seed is printed with its whole scenario; replay it with
 * {@code SimReplay SEED BYTES}. {@code -Dpilot.sim.soak=N} runs N more seeds.
 */
class SimulationTest {
    static final int SEEDS = 220;
    static final int BYTES = 500_000;

    @Test
    void everyInvariantHoldsAcrossTheSeeds() {
        long packets = 0;
        long bytes = 0;
        long attacks = 0;
        int completed = 0;
        List<String> failures = new ArrayList<>();
        int soak = Integer.getInteger("pilot.sim.soak", 0);
        for (long seed = 1; seed <= SEEDS + soak; seed++) {
            SimReport r = Simulation.run(SimConfig.forSeed(seed, BYTES));
            packets += r.packets();
            bytes += r.streamBytes();
            attacks += r.attacksRefused();
            completed += r.streamsCompleted();
            if (!r.ok()) {
                failures.add(r.toString());
            }
            assertTrue(r.maxBufferedBytes() <= Simulation.MAX_BUFFERED_BYTES);
        }
        System.out.printf("simulation: %d seeds, %d packets, %d stream bytes verified, %d streams completed, %d attacks refused%n",
                SEEDS + soak, packets, bytes, completed, attacks);
        assertEquals(List.of(), failures, "replay a failing seed with SimReplay");
        assertTrue(packets >= 1_000_000, "scale: " + packets + " packets");
        assertTrue(completed > SEEDS, "most streams complete");
        assertTrue(attacks > 1000, "the attacker was active");
    }

    @Test
    void sameSeedSameTrace() {
        SimReport a = Simulation.run(SimConfig.forSeed(42, 100_000));
        SimReport b = Simulation.run(SimConfig.forSeed(42, 100_000));
        assertEquals(a.traceHash(), b.traceHash());
        assertEquals(a.packets(), b.packets());
        assertNotEquals(a.traceHash(), Simulation.run(SimConfig.forSeed(43, 100_000)).traceHash());
    }

    @Test
    void theCheckerReportsAPermanentlyBrokenNetwork() {
        // all datagrams lost, forever: nothing can converge and streams cannot complete
        SimConfig dead = new SimConfig(7, 3, 1, 10_000, 2, 10, 0, 1000, 0, 0, 0, 0, 0, 20_000, 240_000, WireProfile.MODERN);
        SimReport r = Simulation.run(dead);
        assertFalse(r.ok());
        assertTrue(r.violations().stream().anyMatch(v -> v.contains("never reached")), r.violations().toString());
        assertEquals(0, r.streamsCompleted());
    }

    @Test
    void aCleanNetworkCompletesEveryStream() {
        SimConfig clean = new SimConfig(9, 4, 2, 200_000, 10, 10, 5, 0, 0, 0, 0, 0, 0, 20_000, 240_000, WireProfile.FEB2026);
        SimReport r = Simulation.run(clean);
        assertTrue(r.ok(), r.toString());
        assertEquals(8, r.streamsCompleted());
        assertEquals(8L * (200_000 + 12), r.streamBytes());
        assertEquals(0, r.streamsFailed());
    }

    @Test
    void aLoggedRunIsTheSameRunAndItsLogNamesDatagramsEventsAndDrops() {
        SimConfig cfg = SimConfig.forSeed(5, 20_000);
        java.util.List<String> lines = new java.util.ArrayList<>();
        SimReport logged = Simulation.run(cfg, lines::add);
        SimReport quiet = Simulation.run(cfg);
        assertEquals(quiet.traceHash(), logged.traceHash(), "logging never changes what happens");
        assertTrue(lines.stream().anyMatch(l -> l.contains(" event ")), "events are logged");
        assertTrue(lines.stream().allMatch(l -> l.startsWith("t=")), "every line carries the virtual time");
        assertTrue(logged.toString().startsWith(logged.ok() ? "OK " : "VIOLATED "));
    }

    @Test
    void aReportSaysViolatedAndListsWhatBroke() {
        SimConfig dead = new SimConfig(7, 3, 1, 10_000, 2, 10, 0, 1000, 0, 0, 0, 0, 0, 20_000, 240_000, WireProfile.MODERN);
        java.util.List<String> lines = new java.util.ArrayList<>();
        SimReport r = Simulation.run(dead, lines::add);
        assertTrue(r.toString().startsWith("VIOLATED "));
        assertTrue(r.toString().contains("never reached"), r.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("lost")), "lost datagrams are logged");
    }
}
