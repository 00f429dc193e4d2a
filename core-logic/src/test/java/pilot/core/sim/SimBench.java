package pilot.core.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Throughput of one simulated stream through the whole core (seal, open, streams, ACKs) per second of
 * CPU, at a given loss: {@code java ... pilot.core.sim.SimBench [bytes]}.
 */
public final class SimBench {
    public static void main(String[] args) {
        int bytes = args.length > 0 ? Integer.parseInt(args[0]) : 20_000_000;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 2; warm++) {
            Simulation.run(SimConfig.throughput(1, 2_000_000, 0));
        }
        for (int loss : new int[] {0, 50}) {
            long cpu0 = mx.getCurrentThreadCpuTime();
            SimReport r = Simulation.run(SimConfig.throughput(1, bytes, loss));
            double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            System.out.printf("loss %.1f%%: %d bytes in %.2f s CPU = %.1f MB/s of CPU (%d packets, %s, simulated %.1f s)%n",
                    loss / 10.0, r.streamBytes(), cpu, r.streamBytes() / cpu / 1e6, r.packets(), r.ok() ? "ok" : r.violations(),
                    r.simulatedMillis() / 1000.0);
        }
    }
}
