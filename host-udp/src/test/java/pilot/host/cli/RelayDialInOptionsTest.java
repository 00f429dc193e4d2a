package pilot.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.identity.Identity;

/**
 * {@code pilot-host relay --relay-key FILE --dial-in-allow PREFIX}: the key is created owner-only once and
 * printed, prefixes must fix host and port, and without {@code --dial-in-allow} no key file is touched.
 * The relay is stopped by a taken {@code --admin} port (exit 4) right after it printed its start lines.
 */
class RelayDialInOptionsTest {
    @TempDir
    Path dir;

    PilotCliTest.Run relay(int takenPort, String... extra) {
        String[] base = {"relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9", "--admin", String.valueOf(takenPort)};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return PilotCliTest.run(args);
    }

    @Test
    void theRelayKeyIsCreatedOwnerOnlyOnceAndPrinted() throws Exception {
        Path key = dir.resolve("state/relay-key.json");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run first = relay(taken.getLocalPort(), "--relay-key", key.toString(), "--dial-in-allow", "http://127.0.0.1:1/in/");
            assertEquals(PilotCli.CONFIG, first.code(), first.err());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            String b64 = Identity.load(key, new BouncyCastleSuite()).publicKeyBase64();
            assertTrue(first.out().contains("relay key " + b64 + " (give it to Worker authors as RELAY_PUBLIC_KEY)"), first.out());
            PilotCliTest.Run second = relay(taken.getLocalPort(), "--relay-key", key.toString(), "--dial-in-allow", "http://127.0.0.1:1/in/");
            assertTrue(second.out().contains("relay key " + b64), "the same key on the next start: " + second.out());
        }
    }

    @Test
    void withoutDialInAllowNoKeyFileIsReadOrCreated() throws Exception {
        Path key = dir.resolve("relay-key.json");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run r = relay(taken.getLocalPort(), "--relay-key", key.toString());
            assertEquals(PilotCli.CONFIG, r.code(), r.err());
            assertFalse(Files.exists(key));
            assertFalse(r.out().contains("relay key"), r.out());
        }
    }

    @Test
    void aPrefixThatDoesNotFixTheHostIsAUsageError() {
        PilotCliTest.Run r = PilotCliTest.run("relay", "--registry", "127.0.0.1:9", "--relay-key", dir.resolve("k.json").toString(),
                "--dial-in-allow", "https://pilot.example.workers.dev");
        assertEquals(PilotCli.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("expected http(s)://host[:port]/path"), r.err());
        assertFalse(Files.exists(dir.resolve("k.json")));
    }

    @Test
    void helpNamesBothOptionsAndTheirDefaults() {
        String h = PilotCliTest.run("relay", "--help").out().replaceAll("\\s+", " ").replace(". pilot", ".pilot");
        assertTrue(h.contains("--relay-key=FILE") && h.contains("/.pilot/relay-key.json"), h); // wrapped help rejoined
        assertTrue(h.contains("--dial-in-allow=PREFIX") && h.contains("default: none, dial-in refused"), h);
    }
}
