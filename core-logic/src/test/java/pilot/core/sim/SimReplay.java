package pilot.core.sim;

/** Replays one seed with a full log: java ... pilot.core.sim.SimReplay SEED BYTES [grep] */
public final class SimReplay {
    public static void main(String[] args) {
        String filter = args.length > 2 ? args[2] : "";
        SimReport r = Simulation.run(SimConfig.forSeed(Long.parseLong(args[0]), Integer.parseInt(args[1])), line -> {
            if (line.contains(filter)) {
                System.out.println(line);
            }
        });
        System.out.println(r);
    }
}
