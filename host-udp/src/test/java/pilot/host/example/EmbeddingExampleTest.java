package pilot.host.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.node.NodeEvent;
import pilot.host.registry.RegistryServer;

/** The README's embedding example runs as shown, and the README shows exactly its code. */
class EmbeddingExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExamplePingsStreamsSendsADatagramAndSeesEvents() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null)) {
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            EmbeddingExample.run(registry.address(), dir, new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
            String line = printed.toString(StandardCharsets.UTF_8);
            assertTrue(line.matches("ping \\d+ ms; reply 'hello, alice'; datagram 'one datagram'; bob saw \\[.*]\\R"), line);
            for (NodeEvent.Kind k : List.of(NodeEvent.Kind.PEER_UP, NodeEvent.Kind.STREAM_ACCEPTED, NodeEvent.Kind.DATAGRAM)) {
                assertTrue(line.contains(k.name()), k + " in " + line);
            }
        }
    }

    @Test
    void theReadmeShowsTheExampleLineForLine() throws Exception {
        List<String> example = Files.readAllLines(Path.of("src/test/java/pilot/host/example/EmbeddingExample.java"),
                StandardCharsets.UTF_8);
        List<String> shown = example.subList(indexOf(example, "// README:begin") + 1, indexOf(example, "// README:end"));
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        String block = String.join("\n", shown.stream().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList());
        assertTrue(readme.contains(block), "README.md must contain the example's lines (unindented by 8):\n" + block);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no " + marker);
    }
}
