package pilot.host.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pilot.host.cli.PilotCli;
import pilot.host.metrics.AdminClient;

/** deploy/: the systemd unit is valid and its ExecStart runs the relay; the Dockerfile's command parses. */
class DeployFilesTest {
    static final Path UNIT = Path.of("../deploy/pilot-relay.service");
    static final Path DOCKERFILE = Path.of("../deploy/Dockerfile");

    @TempDir
    Path dir;

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnitWithoutAWarning() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path log = dir.resolve("verify.log");
        Process p = new ProcessBuilder(analyze.toString(), "verify", UNIT.toAbsolutePath().normalize().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "systemd-analyze verify finished");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.strip(), "no warnings (an unknown key is only a warning)");
    }

    @Test
    void theUnitsExecStartLineStartsTheRelayWithHealthAndMetricsAndSigtermStopsIt() throws Exception {
        List<String> unit = Files.readAllLines(UNIT, StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>();
        String execStart = null;
        for (String line : unit) {
            if (line.startsWith("Environment=")) {
                String kv = line.substring("Environment=".length());
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else if (line.startsWith("ExecStart=")) {
                execStart = line.substring("ExecStart=".length());
            }
        }
        assertTrue(execStart != null, "ExecStart=");
        // what /etc/pilot/relay.env would say on this machine: loopback only, free ports
        int ws = freePort();
        int admin = freePort();
        env.put("PILOT_LISTEN", "127.0.0.1:" + ws);
        env.put("PILOT_ADMIN", "127.0.0.1:" + admin);
        env.put("PILOT_RELAY_OPTS", "--max-connections 64");
        env.put("JAVA_OPTS", "-Xmx128m");
        List<String> cmd = expand(execStart, env);
        // the installed jar is this build's classes: same main class, same arguments
        int jar = cmd.indexOf("-jar");
        assertEquals("/usr/bin/java", cmd.get(0));
        assertEquals("/opt/pilot/pilot-host.jar", cmd.get(jar + 1));
        List<String> run = new ArrayList<>();
        run.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        run.addAll(cmd.subList(1, jar));
        run.addAll(List.of("-cp", System.getProperty("java.class.path"), PilotCli.class.getName()));
        run.addAll(cmd.subList(jar + 2, cmd.size()));
        assertEquals(List.of("relay", "--listen", "127.0.0.1:" + ws, "--udp-host", "127.0.0.1", "--registry", "127.0.0.1:9000",
                "--admin", "127.0.0.1:" + admin, "--max-connections", "64"), cmd.subList(jar + 2, cmd.size()));

        Process p = new ProcessBuilder(run).redirectError(dir.resolve("relay.err").toFile()).start();
        try {
            CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> readUntil(p, "admin on http://"));
            String line = ready.get(30, TimeUnit.SECONDS);
            assertEquals("admin on http://127.0.0.1:" + admin + " (/healthz, /metrics)", line);
            AdminClient client = new AdminClient(new InetSocketAddress("127.0.0.1", admin));
            assertEquals(200, client.get("/healthz").statusCode());
            String metrics = client.metrics();
            assertEquals(0, AdminClient.value(metrics, "pilot_relay_connections{state=\"ready\"}"), metrics);
            assertEquals(0, AdminClient.value(metrics, "pilot_relay_logins_total{outcome=\"full\"}"));
            p.destroy(); // SIGTERM, as systemctl stop sends
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the relay stopped on SIGTERM");
            assertEquals(143, p.exitValue(), "the JVM's exit on SIGTERM, which the unit lists in SuccessExitStatus=");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theDockerfileCopiesTheShadedJarAndItsDefaultCommandParses() throws Exception {
        String docker = Files.readString(DOCKERFILE, StandardCharsets.UTF_8);
        assertTrue(docker.contains("COPY host-udp/target/pilot-host.jar /opt/pilot/pilot-host.jar"), docker);
        assertTrue(Files.readString(Path.of("pom.xml")).contains("<finalName>pilot-host</finalName>"),
                "the shade plugin writes target/pilot-host.jar");
        Matcher m = Pattern.compile("^CMD \\[(.*)]$", Pattern.MULTILINE).matcher(docker);
        assertTrue(m.find(), "CMD [...]");
        List<String> args = new ArrayList<>();
        Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (s.find()) {
            args.add(s.group(1));
        }
        assertEquals("relay", args.get(0));
        CommandLine.ParseResult parsed = new CommandLine(new PilotCli()).parseArgs(args.toArray(String[]::new));
        assertTrue(parsed.hasSubcommand());
        assertEquals(List.of("relay"), List.of(parsed.subcommand().commandSpec().name()));
    }

    /** systemd's ExecStart expansion: ${VAR} is one word, $VAR splits at whitespace (and vanishes when empty). */
    static List<String> expand(String line, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        for (String word : line.trim().split("\\s+")) {
            if (word.matches("\\$[A-Z_]+")) {
                String v = env.getOrDefault(word.substring(1), "").trim();
                if (!v.isEmpty()) {
                    out.addAll(List.of(v.split("\\s+")));
                }
            } else {
                Matcher m = Pattern.compile("\\$\\{([A-Z_]+)}").matcher(word);
                out.add(m.replaceAll(r -> Matcher.quoteReplacement(env.getOrDefault(r.group(1), ""))));
            }
        }
        return out;
    }

    private static String readUntil(Process p, String prefix) {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError("the relay ended without printing " + prefix);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
