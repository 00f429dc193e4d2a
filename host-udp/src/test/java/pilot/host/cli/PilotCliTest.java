package pilot.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryServer;

/** The command line's contract: help, and distinct exit codes with a clear message for each failure. */
class PilotCliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = PilotCli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpEverywhere() {
        for (String[] cmd : new String[][] {{"--help"}, {"run", "--help"}, {"ping", "--help"}, {"send", "--help"},
            {"echo", "--help"}, {"registry", "--help"}, {"relay", "--help"}, {"identity", "--help"}, {"identity", "show", "--help"}}) {
            Run r = run(cmd);
            assertEquals(0, r.code(), String.join(" ", cmd));
            assertTrue(r.out().contains("Usage:"), r.out());
        }
        assertTrue(run("--help").out().contains("Exit codes:"));
    }

    @Test
    void badAddressesAndArgumentsAreUsageErrors() {
        Run r = run("ping", "1:00A3.F291.0004", "--identity", dir.resolve("id.json").toString());
        assertEquals(PilotCli.USAGE, r.code());
        assertTrue(r.err().contains("not a Pilot address"), r.err());
        assertEquals(PilotCli.USAGE, run("ping").code());
        assertEquals(PilotCli.USAGE, run("send", "0:0000.0000.0010", "7").code(), "needs --data or --file");
        assertEquals(PilotCli.USAGE, run("ping", "0:0000.0000.0010", "--registry", "nohostport").code());
        assertEquals(PilotCli.USAGE, run("ping", "0:0000.0000.0010", "--profile", "v3").code());
        assertEquals(PilotCli.USAGE, run("frobnicate").code());
    }

    @Test
    void configurationProblemsExitWithFour() {
        Run r = run("identity", "show", "--identity", dir.resolve("missing.json").toString());
        assertEquals(PilotCli.CONFIG, r.code());
        assertTrue(r.err().contains("identity new"), r.err());
        // no registry listening
        Run noRegistry = run("ping", "0:0000.0000.0010", "--registry", "127.0.0.1:1", "--identity", dir.resolve("a.json").toString());
        assertEquals(PilotCli.CONFIG, noRegistry.code());
        assertTrue(noRegistry.err().contains("refused"), noRegistry.err());
        // an unregistered identity without a registry
        Run unregistered = run("ping", "0:0000.0000.0010", "--identity", dir.resolve("b.json").toString());
        assertEquals(PilotCli.CONFIG, unregistered.code());
    }

    @Test
    void aDirectoryGivenForAFileIsNamed() throws Exception {
        Path d = java.nio.file.Files.createDirectories(dir.resolve("adir"));
        Run id = run("ping", "0:0000.0000.0010", "--identity", d.toString(), "--registry", "127.0.0.1:1");
        assertEquals(PilotCli.CONFIG, id.code(), id.err());
        assertTrue(id.err().contains("pilot-host: " + d + ": is a directory, not an identity file (give the file's path)\n"),
                id.err()); // contains: a coverage or fuzzing agent may write its own lines to stderr
        Run store = run("registry", "--listen", "127.0.0.1:0", "--store", d.toString());
        assertEquals(PilotCli.CONFIG, store.code(), store.err());
        assertTrue(store.err().contains("pilot-host: " + d + ": is a directory, not a registry store file"), store.err());
    }

    @Test
    void identityNewRefusesToOverwrite() {
        String f = dir.resolve("id.json").toString();
        assertEquals(0, run("identity", "new", "--identity", f).code());
        Run again = run("identity", "new", "--identity", f);
        assertEquals(PilotCli.CONFIG, again.code());
        assertTrue(again.err().contains("--force"));
        Run show = run("identity", "show", "--identity", f);
        assertEquals(0, show.code());
        assertTrue(show.out().contains("public key"), show.out());
        assertFalse(show.err().contains("can be read by other users"), "written owner-only: " + show.err());
    }

    @Test
    void anIdentityFileOthersCanReadIsWarnedAbout() throws Exception {
        Path f = dir.resolve("open.json");
        assertEquals(0, run("identity", "new", "--identity", f.toString()).code());
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Run show = run("identity", "show", "--identity", f.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(show.err().contains(f + " holds a private key and can be read by other users (mode rw-r--r--): chmod 600 it"),
                show.err());
    }

    @Test
    void unreachablePeersExitWithThreeAndReachableOnesWithZero() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon peer = HostDaemon.start(HostConfig.loopback(dir.resolve("peer.json"), registry.address()))) {
            String reg = "127.0.0.1:" + registry.address().getPort();
            Run ok = run("ping", peer.address().toString(), "-c", "2", "--registry", reg, "--identity", dir.resolve("me.json").toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().contains("pong from " + peer.address()), ok.out());
            Run echo = run("send", peer.address().toString(), "7", "--data", "hi there", "--registry", reg, "--identity",
                    dir.resolve("me.json").toString());
            assertEquals(0, echo.code(), echo.err());
            assertEquals("hi there", echo.out());
            Run nobody = run("ping", "0:0000.0000.7777", "--timeout", "3", "--registry", reg, "--identity",
                    dir.resolve("me.json").toString());
            assertEquals(PilotCli.UNREACHABLE, nobody.code(), nobody.err());
            assertTrue(nobody.err().contains("0:0000.0000.7777"), nobody.err());
            // reached, but nothing listens on the port: the operation failed (1), the peer was not unreachable (3)
            Run refused = run("send", peer.address().toString(), "1000", "--data", "x", "--registry", reg, "--identity",
                    dir.resolve("me.json").toString());
            assertEquals(PilotCli.FAILED, refused.code(), refused.err());
            assertTrue(refused.err().contains("REFUSED"), refused.err());
            // an address no peer can have (node 0) is a usage error (2), found before anything is sent
            Run zero = run("ping", "0:0000.0000.0000", "--registry", reg, "--identity", dir.resolve("me.json").toString());
            assertEquals(PilotCli.USAGE, zero.code(), zero.err());
            assertTrue(zero.err().contains("not a peer address"), zero.err());
        }
    }

    @Test
    void pingStreamAndSendFinishTheirStreamsBeforeExiting() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon peer = HostDaemon.start(HostConfig.loopback(dir.resolve("peer.json"), registry.address()))) {
            String reg = "127.0.0.1:" + registry.address().getPort();
            Run ping = run("ping", peer.address().toString(), "--stream", "-c", "3", "--registry", reg, "--identity",
                    dir.resolve("me.json").toString());
            assertEquals(0, ping.code(), ping.err());
            assertEquals(3, ping.out().split("stream echo from").length - 1, ping.out());
            Path blob = dir.resolve("blob.bin");
            byte[] data = new pilot.core.crypto.SeededEntropy(5).bytes(300_000);
            java.nio.file.Files.write(blob, data);
            Run send = run("send", peer.address().toString(), "7", "--file", blob.toString(), "--registry", reg, "--identity",
                    dir.resolve("me.json").toString());
            assertEquals(0, send.code(), send.err());
            assertTrue(send.err().contains("sent 300000 bytes, received 300000"), send.err());
            // the CLI lingered until its FINs and last ACKs were through: the echo side of every stream
            // finished (TIME_WAIT or gone), none is left waiting for a FIN or retransmitting one
            // the peer's loop may run the stats command before it reads our last ACK from its socket, so look
            // again for up to 1 s: without the linger the peer would still be retransmitting its FIN (RTO >= 200 ms,
            // 8 tries) well after that
            long deadline = System.nanoTime() + 1_000_000_000L;
            String stats = peer.stats().get(5, java.util.concurrent.TimeUnit.SECONDS);
            while (!stats.contains(" active=0 ") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                stats = peer.stats().get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertTrue(stats.contains(" active=0 "), stats);
        }
    }

    @Test
    void everyCommandsHelpListsTheExitCodes() {
        for (String[] cmd : new String[][] {{"run", "--help"}, {"ping", "--help"}, {"send", "--help"}, {"echo", "--help"},
            {"registry", "--help"}, {"relay", "--help"}, {"identity", "show", "--help"}, {"identity", "new", "--help"}}) {
            String help = run(cmd).out();
            String flat = help.replaceAll("\\s+", " "); // the code column is as wide as its longest code
            assertTrue(help.contains("Exit codes:") && flat.contains(" 3 peer unreachable or timed out"), String.join(" ", cmd) + ": " + help);
            assertTrue(flat.contains(" 130 stopped by SIGINT (Ctrl-C) 143 stopped by SIGTERM"), String.join(" ", cmd) + ": " + help);
        }
    }

    @Test
    void jsonOutputForScripts() throws Exception {
        Path id = dir.resolve("me.json");
        assertEquals(0, run("identity", "new", "--identity", id.toString()).code());
        Run show = run("identity", "show", "--identity", id.toString(), "--json");
        assertEquals(0, show.code(), show.err());
        var shown = pilot.core.json.Json.parseObject(show.out().trim());
        assertTrue(shown.isOk(), show.out());
        assertEquals(pilot.host.identity.Identity.load(id, new BouncyCastleSuite()).publicKeyBase64(), shown.value().get("public_key"));
        assertEquals(id.toString(), shown.value().get("file"));
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             HostDaemon peer = HostDaemon.start(HostConfig.loopback(dir.resolve("peer.json"), registry.address()))) {
            Run ping = run("ping", peer.address().toString(), "-c", "2", "--json", "--registry",
                    "127.0.0.1:" + registry.address().getPort(), "--identity", id.toString());
            assertEquals(0, ping.code(), ping.err());
            String[] lines = ping.out().trim().split("\n");
            assertEquals(2, lines.length, ping.out());
            for (int i = 0; i < 2; i++) {
                var line = pilot.core.json.Json.parseObject(lines[i]);
                assertTrue(line.isOk(), lines[i]);
                assertEquals((long) (i + 1), line.value().get("seq"));
                assertEquals(peer.address().toString(), line.value().get("peer"));
                assertTrue(line.value().get("rtt_ms") instanceof Long, lines[i]);
            }
        }
    }

    @Test
    void progressIsDrawnOnlyOnATerminal() {
        StringBuilder drawn = new StringBuilder();
        Progress quiet = new Progress(false, 1_000_000, drawn::append);
        quiet.sent(500_000, 1_000_000_000L);
        quiet.finish(2_000_000_000L);
        assertEquals("", drawn.toString(), "nothing when standard output or input is not a terminal");
        Progress shown = new Progress(true, 2 * 1024 * 1024, drawn::append);
        shown.sent(1024 * 1024, 1_000_000_000L);
        shown.received(512 * 1024, 1_000_000_000L);
        shown.draw(1_000_000_000L);
        assertTrue(drawn.toString().startsWith("\r") && drawn.toString().contains("sent 1.0 of 2.0 MiB (50%), received 0.5 MiB"), drawn.toString());
        shown.finish(2_000_000_000L);
        assertTrue(drawn.toString().endsWith("\n"), "the line is ended when the transfer is");
    }
}
