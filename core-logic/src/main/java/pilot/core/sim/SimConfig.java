package pilot.core.sim;

import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;

/**
 * One simulated network run. Probabilities are in per-mille so every runtime computes them with the
 * same integer arithmetic. {@link #forSeed} derives a varied scenario from a seed.
 *
 * @param seed            the only source of randomness
 * @param nodes           peers in the network (2..8)
 * @param streamsPerNode  streams each node opens to random peers
 * @param bytesPerStream  payload bytes per stream
 * @param datagramsPerNode datagrams each node sends
 * @param latencyMillis   one-way base latency
 * @param jitterMillis    extra random delay 0..jitter (reorders packets)
 * @param lossPermille    datagrams dropped
 * @param dupPermille     datagrams delivered twice
 * @param corruptPermille datagrams with one bit flipped
 * @param attackPermille  per transmitted datagram: chance an attacker replays a captured one or injects a forgery
 * @param partitions      link cuts during the busy phase, each healing by itself
 * @param restarts        node restarts (new process, same identity, fresh keys) during the busy phase
 * @param busyMillis      length of the phase with faults
 * @param quietMillis     fault-free phase after it, in which everything must settle
 * @param profile         wire profile of every node
 */
public record SimConfig(long seed, int nodes, int streamsPerNode, int bytesPerStream, int datagramsPerNode,
                        int latencyMillis, int jitterMillis, int lossPermille, int dupPermille, int corruptPermille,
                        int attackPermille, int partitions, int restarts, long busyMillis, long quietMillis,
                        WireProfile profile) {

    /** A scenario drawn from the seed: 2-5 nodes, 0-8% loss, duplication, corruption, attacks, cuts, restarts. */
    public static SimConfig forSeed(long seed, int bytesPerStream) {
        SeededEntropy r = new SeededEntropy(seed ^ 0x51A7_10_5EEDL);
        int nodes = 2 + pick(r, 4);
        return new SimConfig(seed, nodes, 1 + pick(r, 2), bytesPerStream, 5 + pick(r, 20), 5 + pick(r, 40), pick(r, 30),
                pick(r, 81), pick(r, 31), pick(r, 11), pick(r, 21), pick(r, 3), pick(r, 5) == 0 ? 1 : 0,
                20_000, 240_000, pick(r, 4) == 0 ? WireProfile.FEB2026 : WireProfile.MODERN);
    }

    /** A clean two-node run for throughput figures. */
    public static SimConfig throughput(long seed, int bytes, int lossPermille) {
        return new SimConfig(seed, 2, 1, bytes, 0, 10, 2, lossPermille, 0, 0, 0, 0, 0, 1_000_000, 240_000, WireProfile.MODERN);
    }

    static int pick(SeededEntropy r, int bound) {
        return (int) Long.remainderUnsigned(r.nextLong(), bound);
    }

    @Override
    public String toString() {
        return "seed=" + seed + " nodes=" + nodes + " streams/node=" + streamsPerNode + " bytes/stream=" + bytesPerStream
                + " dgrams/node=" + datagramsPerNode + " latency=" + latencyMillis + "+" + jitterMillis + "ms loss="
                + lossPermille + "‰ dup=" + dupPermille + "‰ corrupt=" + corruptPermille + "‰ attack=" + attackPermille
                + "‰ partitions=" + partitions + " restarts=" + restarts + " profile=" + profile;
    }
}
