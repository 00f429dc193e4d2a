package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A Worker's UDP socket at the relay ({@link RelayServer#openWorkerSocket}) holds a host's burst while the relay is busy. */
class WorkerSocketTest {
    /** A window of 4 KiB segments as a host sends one to a Worker (256 KiB: the Worker's receive buffer) and half again. */
    private static final int BURST = 96;
    private static final int SEGMENT_DATAGRAM = 4096 + 58; // a 4 KiB stream segment in its sealed frame

    /** A default socket's buffer at or above this may hold half the burst: the comparison with it then shows nothing. */
    private static final long SMALL_DEFAULT_BUFFER = 256 << 10;

    @Test
    void aBurstWaitsWholeInAWorkersSocketWhileTheRelayDoesNotRead() throws IOException {
        long rmemMax = sysctl("rmem_max");
        assumeTrue(rmemMax >= RelayServer.WORKER_UDP_RECEIVE_BUFFER_BYTES,
                "the kernel caps socket buffers below what the relay asks (net.core.rmem_max)");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramChannel worker = RelayServer.openWorkerSocket(loopback);
             DatagramChannel plain = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0))) {
            plain.configureBlocking(false);
            assertTrue(RelayServer.acceptedReceiveBuffer(worker) >= RelayServer.WORKER_UDP_RECEIVE_BUFFER_BYTES,
                    "granted " + RelayServer.acceptedReceiveBuffer(worker) + " B under rmem_max " + rmemMax);
            assertNull(RelayServer.workerReceiveBufferShortfall(loopback), "nothing to warn about");
            if (sysctl("rmem_default") < SMALL_DEFAULT_BUFFER) {
                // what the relay used before: a socket with the kernel's default buffer loses most of the same burst
                assertTrue(burstInto(plain) < BURST / 2, "a default socket's buffer holds less than half of the burst");
            }
            assertEquals(BURST, burstInto(worker));
        }
    }

    /** net.core.{name}, or 0 where /proc does not say (not Linux). */
    private static long sysctl(String name) throws IOException {
        Path p = Path.of("/proc/sys/net/core", name); // read by lines: readString stops at the size /proc reports
        return Files.isReadable(p) ? Long.parseLong(Files.readAllLines(p).get(0).trim()) : 0;
    }

    /** Sends {@link #BURST} datagrams nobody reads yet, then reads what the socket kept. */
    private static int burstInto(DatagramChannel to) throws IOException {
        try (DatagramChannel host = DatagramChannel.open()) {
            ByteBuffer segment = ByteBuffer.allocate(SEGMENT_DATAGRAM);
            for (int i = 0; i < BURST; i++) {
                host.send(segment.clear(), to.getLocalAddress());
            }
        }
        int kept = 0;
        ByteBuffer in = ByteBuffer.allocate(65536);
        while (to.receive(in.clear()) != null) {
            kept++;
        }
        return kept;
    }
}
