package pilot.core.sim;

/** Manual runner: java ... pilot.core.sim.SimProbe FIRST_SEED COUNT BYTES */
public final class SimProbe {
    public static void main(String[] args) {
        long first = Long.parseLong(args[0]);
        int count = Integer.parseInt(args[1]);
        int bytes = Integer.parseInt(args[2]);
        long packets = 0;
        int bad = 0;
        long t0 = System.nanoTime();
        for (long s = first; s < first + count; s++) {
            SimReport r = Simulation.run(SimConfig.forSeed(s, bytes));
            packets += r.packets();
            if (!r.ok()) {
                bad++;
                System.out.println(r);
            }
        }
        System.out.printf("%d seeds, %d packets, %d violating, %.1f s%n", count, packets, bad, (System.nanoTime() - t0) / 1e9);
    }
}
