package pilot.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * {@code pilot-host relay --worker-mss BYTES}: the stream segment the relay tells Workers in {@code auth_ok}
 * (RelayProtocol.streamMssFor by default) must be one a Worker may send, 1024..4096; anything else is a usage
 * error before anything listens.
 */
class RelayWorkerMssOptionTest {
    @Test
    void aSegmentSizeOutsideOneWindowUnitIsAUsageError() {
        for (String bad : new String[] {"1023", "4097", "0"}) {
            PilotCliTest.Run r = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9", "--worker-mss", bad);
            assertEquals(PilotCli.USAGE, r.code(), r.err());
            assertTrue(r.err().contains("--worker-mss must be 1024..4096: " + bad), r.err());
        }
    }

    @Test
    void aSizeInRangeStartsTheRelay() throws Exception {
        // stopped right after its start lines by a taken --admin port (exit 4), as RelayDialInOptionsTest does
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run r = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                    "--admin", String.valueOf(taken.getLocalPort()), "--worker-mss", "4096");
            assertEquals(PilotCli.CONFIG, r.code(), r.err());
            assertTrue(r.out().contains("relay on ws://"), r.out());
        }
    }

    @Test
    void helpNamesTheOption() {
        String h = PilotCliTest.run("relay", "--help").out().replaceAll("\\s+", " ");
        assertTrue(h.contains("--worker-mss=BYTES") && h.contains("4096 when --udp-host is a loopback address"), h);
    }
}
