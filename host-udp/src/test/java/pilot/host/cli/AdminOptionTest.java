package pilot.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --admin [HOST:]PORT}: loopback unless a host is named, and a port it cannot take fails the command. */
class AdminOptionTest {
    @Test
    void aBarePortMeansLoopbackAndAHostIsKept() {
        AdminOption.AdminAddressConverter c = new AdminOption.AdminAddressConverter();
        assertEquals(new InetSocketAddress("127.0.0.1", 9464), c.convert("9464"));
        assertEquals(new InetSocketAddress("0.0.0.0", 9464), c.convert("0.0.0.0:9464"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("metrics"));
        assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("127.0.0.1:99999"));
    }

    @Test
    void aBadAdminAddressIsAUsageErrorAndATakenPortFailsTheRelayWithExitCode4() throws Exception {
        PilotCliTest.Run bad = PilotCliTest.run("relay", "--registry", "127.0.0.1:9", "--admin", "metrics");
        assertEquals(PilotCli.USAGE, bad.code(), bad.err());
        assertTrue(bad.err().contains("expected [HOST:]PORT"), bad.err());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run busy = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                    "--admin", String.valueOf(taken.getLocalPort()));
            assertEquals(PilotCli.CONFIG, busy.code(), busy.err());
            assertTrue(busy.err().contains("cannot listen for --admin on"), busy.err());
        }
    }
}
