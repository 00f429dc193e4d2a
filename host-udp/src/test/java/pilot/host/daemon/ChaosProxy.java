package pilot.host.daemon;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A UDP man-in-the-middle on loopback for tests: A talks to {@link #forA()} believing it is B, B talks
 * to {@link #forB()} believing it is A. Each datagram is dropped, duplicated or delayed (reordered) at
 * the configured rates.
 */
final class ChaosProxy implements AutoCloseable {
    private final DatagramSocket sideA = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    private final DatagramSocket sideB = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    private final ScheduledExecutorService delay = Executors.newSingleThreadScheduledExecutor();
    private final Random random;
    private final double loss;
    private final double dup;
    private final double reorder;
    private volatile InetSocketAddress a;
    private volatile InetSocketAddress b;
    volatile long forwarded;
    volatile long dropped;
    /** The largest datagram A sent (what segment size its streams use). */
    volatile int largestFromA;

    ChaosProxy(long seed, double loss, double dup, double reorder) throws IOException {
        this.random = new Random(seed);
        this.loss = loss;
        this.dup = dup;
        this.reorder = reorder;
        start(sideA, sideB, true);
        start(sideB, sideA, false);
    }

    InetSocketAddress forA() {
        return (InetSocketAddress) sideA.getLocalSocketAddress();
    }

    InetSocketAddress forB() {
        return (InetSocketAddress) sideB.getLocalSocketAddress();
    }

    void connect(InetSocketAddress hostA, InetSocketAddress hostB) {
        this.a = hostA;
        this.b = hostB;
    }

    private void start(DatagramSocket in, DatagramSocket out, boolean fromA) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[70_000];
            while (!in.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    in.receive(p);
                    byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                    if (fromA && data.length > largestFromA) {
                        largestFromA = data.length;
                    }
                    InetSocketAddress to = fromA ? b : a;
                    if (to == null) {
                        continue;
                    }
                    double r;
                    synchronized (random) {
                        r = random.nextDouble();
                    }
                    if (r < loss) {
                        dropped++;
                        continue;
                    }
                    int copies = r < loss + dup ? 2 : 1;
                    for (int c = 0; c < copies; c++) {
                        if (random.nextDouble() < reorder) {
                            delay.schedule(() -> send(out, data, to), 2 + random.nextInt(15), TimeUnit.MILLISECONDS);
                        } else {
                            send(out, data, to);
                        }
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "chaos-proxy");
        t.setDaemon(true);
        t.start();
    }

    private void send(DatagramSocket out, byte[] data, InetSocketAddress to) {
        try {
            out.send(new DatagramPacket(data, data.length, to));
            forwarded++;
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        sideA.close();
        sideB.close();
        delay.shutdownNow();
    }
}
