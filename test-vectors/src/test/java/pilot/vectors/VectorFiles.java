package pilot.vectors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import pilot.core.json.Json;
import pilot.core.wire.Hex;

/** Loads vector files and reads typed fields out of them. */
final class VectorFiles {
    private VectorFiles() {
    }

    static Path moduleDir() {
        return Path.of(System.getProperty("pilot.vectors.dir", "."));
    }

    static Map<String, Object> load(String dir, String name) {
        Path p = moduleDir().resolve(dir).resolve(name);
        try {
            return Json.parseObject(Files.readString(p, StandardCharsets.UTF_8)).value();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p, e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        return (List<Map<String, Object>>) m.get(key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    static byte[] hex(Map<String, Object> m, String key) {
        return Hex.decode((String) m.get(key));
    }

    static int i(Map<String, Object> m, String key) {
        return (int) (long) (Long) m.get(key);
    }

    static long l(Map<String, Object> m, String key) {
        return (Long) m.get(key);
    }

    static String s(Map<String, Object> m, String key) {
        return (String) m.get(key);
    }

    /** Decimal-string unsigned 64-bit counters. */
    static long u64(Object decimal) {
        return Long.parseUnsignedLong((String) decimal);
    }
}
