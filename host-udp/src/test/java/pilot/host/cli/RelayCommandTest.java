package pilot.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.host.relay.SelfSigned;

/**
 * What an operator sees when {@code pilot-host relay} (and the other long-running commands) are given something
 * wrong: a usage error (2) names the option and its allowed range, a bad file or a taken port (4) names the file or
 * the address and what to do, and nothing starts first. Relays that do start are stopped right after their start
 * lines by a taken {@code --admin} port (exit 4), as in RelayDialInOptionsTest.
 */
class RelayCommandTest {
    @TempDir
    Path dir;

    static PilotCliTest.Run relay(String... extra) {
        String[] base = {"relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return PilotCliTest.run(args);
    }

    @Test
    void everyNumericLimitIsCheckedAsItIsParsedAndNamedWithItsRange() {
        String[][] cases = {{"--max-connections", "1..1048576"}, {"--max-connections-per-ip", "1..1048576"},
            {"--logins-per-second-per-ip", "1..1000000"}, {"--max-provisional-per-ip", "1..64"}};
        for (String[] c : cases) {
            for (String bad : new String[] {"0", "-5", "99999999999", "many"}) {
                PilotCliTest.Run r = relay(c[0], bad);
                assertEquals(PilotCli.USAGE, r.code(), c[0] + " " + bad + ": " + r.err());
                assertTrue(r.err().contains("option '" + c[0] + "'") && r.err().contains("allowed: " + c[1]), r.err());
                assertTrue(r.err().contains("Usage: pilot-host relay"), r.err());
                assertFalse(r.out().contains("relay on"), "nothing listened: " + r.out());
            }
        }
        assertEquals(PilotCli.USAGE, relay("--max-provisional-per-ip", "65").code(), "more than the pool of 64");
        for (String[] cmd : new String[][] {{"ping", "0:0000.0000.0010", "-c", "0"}, {"ping", "0:0000.0000.0010", "--timeout", "0"},
            {"send", "0:0000.0000.0010", "7", "--data", "x", "--timeout", "-1"}}) {
            PilotCliTest.Run r = PilotCliTest.run(cmd);
            assertEquals(PilotCli.USAGE, r.code(), String.join(" ", cmd) + ": " + r.err());
            assertTrue(r.err().contains("allowed: 1.."), r.err());
        }
    }

    @Test
    void theLimitsInRangeStartTheRelayAndItsLinePrintsHostColonPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run r = relay("--admin", String.valueOf(taken.getLocalPort()), "--max-connections", "1",
                    "--max-connections-per-ip", "1", "--logins-per-second-per-ip", "1", "--max-provisional-per-ip", "64");
            assertEquals(PilotCli.CONFIG, r.code(), r.err());
            assertTrue(r.out().matches("(?s)relay on ws://127\\.0\\.0\\.1:[1-9][0-9]*/v1/relay \\(UDP endpoints on 127\\.0\\.0\\.1,"
                    + " registry 127\\.0\\.0\\.1:9\\)\n.*"), r.out());
            assertTrue(r.err().contains("cannot listen for --admin on 127.0.0.1:" + taken.getLocalPort() + ":"), r.err());
        }
    }

    @Test
    void aUsageErrorRaisedWhileRunningNamesTheWholeCommand() {
        PilotCliTest.Run r = relay("--tls-cert", dir.resolve("c.pem").toString());
        assertEquals(PilotCli.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--tls-cert and --tls-key go together") && r.err().contains("Usage: pilot-host relay"), r.err());
        PilotCliTest.Run send = PilotCliTest.run("send", "0:0000.0000.0010", "7");
        assertTrue(send.err().contains("Usage: pilot-host send"), send.err());
    }

    @Test
    void aBadListenAddressIsSaidOnce() {
        PilotCliTest.Run r = relay("--listen", "127.0.0.1");
        assertEquals(PilotCli.USAGE, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertEquals("Invalid value for option '--listen': expected HOST:PORT: 127.0.0.1 (e.g. 127.0.0.1:9000 or [::1]:9000)",
                first, r.err());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedAtStartUpNamingBothFiles() throws Exception {
        KeyStore ks = SelfSigned.keyStore(dir.resolve("relay.p12"), "-keyalg", "EC", "-groupname", "secp256r1");
        Path cert = dir.resolve("cert.pem");
        Files.writeString(cert, SelfSigned.pem("CERTIFICATE", ks.getCertificate("relay").getEncoded()));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        Path other = dir.resolve("otherkey.pem");
        Files.writeString(other, SelfSigned.pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));

        PilotCliTest.Run r = relay("--tls-cert", cert.toString(), "--tls-key", other.toString());
        assertEquals(PilotCli.CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("the key does not match the certificate") && r.err().contains(cert.toString())
                && r.err().contains(other.toString()), r.err());
        assertFalse(r.out().contains("relay on"), "it never listened: " + r.out());
    }

    @Test
    void fileProblemsNameTheFileAndWhatIsWrong() throws Exception {
        PilotCliTest.Run missing = relay("--allow-keys", "/nonexistent/keys.txt");
        assertEquals(PilotCli.CONFIG, missing.code(), missing.err());
        assertEquals("pilot-host: /nonexistent/keys.txt: no such file or directory", missing.err().strip());

        Files.writeString(dir.resolve("cert.pem"), "not used");
        PilotCliTest.Run directory = relay("--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.toString());
        assertEquals(PilotCli.CONFIG, directory.code(), directory.err());
        assertEquals("pilot-host: " + dir + ": is a directory, not a PEM file", directory.err().strip());

        Path junk = dir.resolve("relay-key.json");
        Files.writeString(junk, "junk");
        PilotCliTest.Run key = relay("--relay-key", junk.toString(), "--dial-in-allow", "http://127.0.0.1:1/in/");
        assertEquals(PilotCli.CONFIG, key.code(), key.err());
        assertTrue(key.err().startsWith("pilot-host: --relay-key " + junk + " is not a relay key file ("), key.err());
        assertEquals("junk", Files.readString(junk), "left as it was");
    }

    @Test
    void aTakenRelayPortFailsAtOnceNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            PilotCliTest.Run r = PilotCliTest.run("relay", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--registry", "127.0.0.1:9");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(PilotCli.CONFIG, r.code(), r.err());
            assertTrue(r.err().contains("pilot-host: the relay could not listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    && r.err().contains("choose another --listen"), r.err());
            assertFalse(r.out().contains("relay on"), "it never listened: " + r.out());
            // the bind failure is known at once; waiting for a start that cannot come cost 10 s
            assertTrue(millis < RelayCommand.START_TIMEOUT_MILLIS / 2, "took " + millis + " ms");
        }
    }

    @Test
    void aUdpHostThatIsNotAnAddressOfThisMachineFailsAtStartNamingIt() {
        // 192.0.2.55 (TEST-NET-1) is on no interface: every Worker's UDP socket would fail to bind, and the relay
        // refused each login ("no UDP endpoint available") while /healthz said ok. Only a bind is tried: no packet leaves.
        PilotCliTest.Run r = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                "--udp-host", "192.0.2.55");
        assertEquals(PilotCli.CONFIG, r.code(), r.err());
        assertTrue(r.err().contains("pilot-host: --udp-host 192.0.2.55: cannot bind a UDP socket there (")
                && r.err().contains("an address of one of this machine's interfaces"), r.err());
        assertFalse(r.out().contains("relay on"), "it never listened: " + r.out());
        PilotCliTest.Run name = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                "--udp-host", "not an address");
        assertEquals(PilotCli.USAGE, name.code(), name.err());
        assertTrue(name.err().contains("--udp-host must be an IP address"), name.err());
        PilotCliTest.Run zoned = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                "--udp-host", "127.0.0.1%x"); // not a literal Java takes: it would be looked up
        assertEquals(PilotCli.USAGE, zoned.code(), zoned.err());
        PilotCliTest.Run multicast = PilotCliTest.run("relay", "--listen", "127.0.0.1:0", "--registry", "127.0.0.1:9",
                "--udp-host", "224.0.0.1");
        assertEquals(PilotCli.USAGE, multicast.code(), multicast.err());
        assertTrue(multicast.err().contains("not a multicast address: 224.0.0.1"), multicast.err());
    }

    @Test
    void aTakenRegistryPortNamesTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PilotCliTest.Run r = PilotCliTest.run("registry", "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(PilotCli.CONFIG, r.code(), r.err());
            assertTrue(r.err().startsWith("pilot-host: cannot listen on tcp 127.0.0.1:" + taken.getLocalPort() + ": "), r.err());
            assertTrue(r.err().contains("choose another --listen"), r.err());
        }
    }
}
