package pilot.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pilot.core.frame.FrameCodec;
import pilot.core.wire.Hex;
import pilot.core.wire.PacketCodec;

/**
 * The checked-in generated vectors are exactly what core-logic produces now (regenerate with
 * VectorGenerator when a deliberate change alters them), and they are internally consistent.
 */
class GeneratedVectorsTest {
    @Test
    void checkedInFilesMatchAFreshGeneration() throws IOException {
        Map<String, String> fresh = VectorGenerator.generateAll();
        for (Map.Entry<String, String> e : fresh.entrySet()) {
            Path p = VectorFiles.moduleDir().resolve("generated").resolve(e.getKey());
            assertTrue(Files.exists(p), "missing " + p + ": run VectorGenerator");
            assertEquals(e.getValue(), Files.readString(p, StandardCharsets.UTF_8), p + " is stale: run VectorGenerator");
        }
    }

    @Test
    void generationIsDeterministic() {
        assertEquals(VectorGenerator.generateAll(), VectorGenerator.generateAll());
    }

    @Test
    void vectorsCoverBothOutcomes() {
        int ok = 0;
        int refused = 0;
        for (Map<String, Object> c : VectorFiles.list(VectorFiles.load("generated", "frames.json"), "vectors")) {
            boolean isOk = (Boolean) c.get("ok");
            assertEquals(isOk, FrameCodec.decode(Hex.decode((String) c.get("hex"))).isOk());
            if (isOk) {
                ok++;
            } else {
                refused++;
            }
        }
        assertTrue(ok >= 8 && refused >= 6);
        for (Map<String, Object> c : VectorFiles.list(VectorFiles.load("generated", "packets.json"), "corrupt")) {
            assertFalse((Boolean) c.get("ok"));
            assertFalse(PacketCodec.decode(Hex.decode((String) c.get("wire_hex"))).isOk());
        }
        List<Map<String, Object>> opens = VectorFiles.list(VectorFiles.load("generated", "envelope.json"), "open");
        assertTrue(opens.stream().anyMatch(c -> "SPOOFED_SOURCE".equals(c.get("error"))));
        assertTrue(opens.stream().anyMatch(c -> "AEAD_FAILED".equals(c.get("error"))));
        assertTrue(opens.stream().anyMatch(c -> Boolean.TRUE.equals(c.get("ok"))));
    }
}
