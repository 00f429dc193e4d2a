package pilot.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The AEAD as an effect changes nothing a peer or an application can see: the simulation with every node's
 * seals and opens asked of a host and answered at the node's next poll, in order, gives the trace hashes
 * (every datagram and every event, in order) of the synchronous run, pinned in
 * test-vectors/generated/sim-traces.json, and the same for further seeds with restarts, partitions and the attacker.
 * With the packet checksums asked of the host too (what a Worker runs) the pinned hashes are the same again.
 */
class DeferredAeadSimTest {
    /** {seed, trace} of test-vectors/generated/sim-traces.json (bytes_per_stream 100,000). */
    private static final String[][] PINNED = {
        {"1", "3c5028d04f2eeaf4"}, {"2", "f1524df5075fbdd4"}, {"3", "411d7afe8a04880d"},
        {"4", "623fd042e9087fca"}, {"5", "986db23357bde97d"}, {"6", "bc7844d0c35b27f1"},
    };

    @Test
    void deferredAnswersInOrderGiveThePinnedTraceHashes() {
        for (String[] run : PINNED) {
            SimConfig cfg = SimConfig.forSeed(Long.parseLong(run[0]), 100_000);
            assertEquals(run[1], Long.toHexString(Simulation.run(cfg).traceHash()), "synchronous, seed " + run[0]);
            SimReport deferred = Simulation.runDeferredAead(cfg);
            assertEquals(run[1], Long.toHexString(deferred.traceHash()), "deferred, seed " + run[0]);
            assertTrue(deferred.ok(), deferred.toString());
            SimReport checksums = Simulation.runDeferredChecksum(cfg);
            assertEquals(run[1], Long.toHexString(checksums.traceHash()), "deferred with checksums, seed " + run[0]);
            assertTrue(checksums.ok(), checksums.toString());
        }
    }

    @Test
    void deferredMatchesSynchronousAcrossMoreSeeds() {
        for (long seed = 7; seed <= 30; seed++) {
            SimConfig cfg = SimConfig.forSeed(seed, 50_000);
            SimReport sync = Simulation.run(cfg);
            SimReport deferred = Simulation.runDeferredAead(cfg);
            assertEquals(Long.toHexString(sync.traceHash()), Long.toHexString(deferred.traceHash()), "seed " + seed);
            assertEquals(sync.packets(), deferred.packets(), "seed " + seed);
        }
    }
}
