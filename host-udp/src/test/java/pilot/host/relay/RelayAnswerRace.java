package pilot.host.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

/**
 * Reproduces the relay's lost answers (a repro harness, not a test): {@code --workers} JavaWorkers log in, register,
 * then each asks {@code --requests} times, one after the other, either for a dial-in from this relay that does not
 * dial in ({@code --ask dial_in}, the default: answered at once by the thread that decoded it, as in
 * {@code DialInTest.aRelayWithoutDialInPrefixesRefusesEveryDialIn}) or for a registry look-up ({@code --ask lookup}:
 * answered by a registry thread). Each answer is sent while Java-WebSocket's selector thread may still be finishing
 * the previous answer's write, the interleaving that left an answer queued with no write interest
 * (see {@link StalledWrites}). An answer later than {@code --wait-ms} counts as lost. Prints lost answers and how many
 * writes the relay re-armed.
 *
 * <p>Before the fix, 2 workers × 20,000 look-ups lost some answers for good on a loaded 2-core machine; after it, none
 * (a few arrive within {@link RelayServer#WRITE_REARM_MILLIS} late).
 */
public final class RelayAnswerRace {
    private RelayAnswerRace() {
    }

    public static void main(String[] args) throws Exception {
        int workers = 2;
        int requests = 20_000;
        long waitMs = 2_000;
        String ask = "dial_in";
        for (int i = 0; i < args.length - 1; i += 2) {
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                case "--requests" -> requests = Integer.parseInt(args[i + 1]);
                case "--wait-ms" -> waitMs = Long.parseLong(args[i + 1]);
                case "--ask" -> ask = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
        RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(), RelayLimits.DEFAULTS);
        relay.start();
        if (!relay.awaitStarted(5000)) {
            throw new IllegalStateException("relay did not start");
        }
        AtomicInteger lost = new AtomicInteger();
        AtomicLong slowest = new AtomicLong();
        Thread[] threads = new Thread[workers];
        int n = requests;
        long wait = waitMs;
        boolean lookups = switch (ask) {
            case "lookup" -> true;
            case "dial_in" -> false;
            default -> throw new IllegalArgumentException("--ask lookup|dial_in: " + ask);
        };
        long t0 = System.nanoTime();
        for (int k = 0; k < workers; k++) {
            long seed = 7_000 + k;
            threads[k] = new Thread(() -> {
                try (JavaWorker w = new JavaWorker(new InetSocketAddress("127.0.0.1", relay.getPort()), seed)) {
                    w.login();
                    w.join();
                    for (int i = 0; i < n; i++) {
                        long t = System.nanoTime();
                        Map<String, Object> r;
                        if (lookups) {
                            r = w.registry(Map.of("type", "lookup", "node_id", Integer.toUnsignedLong(w.nodeId)), wait);
                        } else {
                            w.ws.send(pilot.core.json.Json.write(Map.of("type", "dial_in", "url", "http://127.0.0.1:9/")));
                            r = answer(w, wait);
                        }
                        long ms = (System.nanoTime() - t) / 1_000_000;
                        slowest.accumulateAndGet(ms, Math::max);
                        if (r == null) {
                            lost.incrementAndGet();
                            System.out.println("worker " + seed + ": answer " + i + " not there after " + wait + " ms");
                            return; // the next answer would carry the stuck one out: stop this worker here
                        }
                    }
                } catch (Exception e) {
                    System.out.println("worker " + seed + ": " + e);
                }
            });
            threads[k].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("workers %d, requests %d each: lost %d, slowest %d ms, writes re-armed %d, %d s%n", workers, n,
                lost.get(), slowest.get(), relay.writesRearmed.get(), (System.nanoTime() - t0) / 1_000_000_000);
        relay.shutdown();
        registry.close();
    }

    /** The next text message within {@code waitMs}, or null. */
    private static Map<String, Object> answer(JavaWorker w, long waitMs) throws InterruptedException {
        try {
            return w.nextText(waitMs);
        } catch (IllegalStateException e) {
            return null;
        }
    }
}
