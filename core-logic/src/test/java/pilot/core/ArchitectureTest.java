package pilot.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules docs/ARCHITECTURE.md states for core-logic, checked on its compiled classes (every type a
 * class file names: class constants, field and method descriptors, generic signatures, method
 * references): no clock, thread, socket, file, reflection or global randomness, and packages that
 * depend only downward (addr -> wire -> frame/crypto -> envelope -> handshake -> stream -> node).
 */
class ArchitectureTest {
    /** Types core-logic must not name (a trailing "/" names a package): time, threads, IO, randomness, reflection. */
    static final List<String> FORBIDDEN_TYPES = List.of(
            "java/lang/Thread", "java/lang/ThreadLocal", "java/lang/Runtime", "java/lang/ProcessBuilder",
            "java/util/concurrent/", "java/util/Timer", "java/time/", "java/net/", "java/nio/file/",
            "java/nio/channels/", "java/io/File", "java/io/FileInputStream", "java/io/FileOutputStream",
            "java/io/FileReader", "java/io/FileWriter", "java/io/RandomAccessFile", "java/util/Random",
            "java/util/random/", "java/security/SecureRandom", "java/lang/reflect/", "sun/misc/Unsafe");

    /** Methods core-logic must not call: clocks, global randomness, the environment. */
    static final List<String> FORBIDDEN_METHODS = List.of(
            "java/lang/System.currentTimeMillis", "java/lang/System.nanoTime", "java/lang/Math.random",
            "java/lang/StrictMath.random", "java/lang/System.getenv", "java/lang/System.getProperty",
            "java/lang/System.exit");

    /**
     * Layer of each package: a class may use its own package and packages of a lower layer only. sim (the
     * deterministic simulation) and json (debug/vector rendering) sit where their dependencies put them; text
     * (ASCII character rules every parser shares) sits at the bottom with ErrorCode/Result.
     */
    static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("", 0), Map.entry("text", 0), Map.entry("addr", 1), Map.entry("limit", 1), Map.entry("wire", 2),
            Map.entry("frame", 3), Map.entry("crypto", 3), Map.entry("edge", 3), Map.entry("envelope", 4), Map.entry("json", 4),
            Map.entry("handshake", 5), Map.entry("stream", 6), Map.entry("node", 7), Map.entry("sim", 8));

    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([A-Za-z0-9_/$]+)[;<]");

    /** What one class file refers to. */
    record Refs(String name, TreeSet<String> types, TreeSet<String> methods) {
    }

    @Test
    void coreLogicUsesNoClockThreadSocketFileOrGlobalRandomness() throws Exception {
        List<String> violations = new ArrayList<>();
        for (Refs r : coreClasses()) {
            violations.addAll(purityViolations(r));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void corePackagesDependOnlyDownward() throws Exception {
        List<String> violations = new ArrayList<>();
        List<Refs> classes = coreClasses();
        assertTrue(classes.size() > 50, "found the compiled core classes");
        for (Refs r : classes) {
            violations.addAll(layerViolations(r));
        }
        assertEquals(List.of(), violations);
    }

    /** The checks find what they look for: a class that reads the clock, starts a thread and reaches up. */
    @Test
    void theChecksCatchAnOffender() throws Exception {
        Refs offender = read(ArchitectureTest.class.getResourceAsStream("ArchitectureTest$Offender.class"));
        List<String> found = purityViolations(offender);
        assertTrue(found.stream().anyMatch(v -> v.contains("java/lang/System.nanoTime")), found.toString());
        assertTrue(found.stream().anyMatch(v -> v.contains("java/lang/Thread")), found.toString());
        assertTrue(found.stream().anyMatch(v -> v.contains("java/util/Random")), found.toString());
        Refs upward = new Refs("pilot/core/wire/Fake", new TreeSet<>(List.of("pilot/core/node/PilotNode")), new TreeSet<>());
        assertEquals(List.of("pilot/core/wire/Fake (wire) uses pilot/core/node/PilotNode (node)"), layerViolations(upward));
    }

    /** Never run: compiled only so {@link #theChecksCatchAnOffender} has something to find. */
    static final class Offender {
        long now() {
            new Thread(() -> { }).start();
            return System.nanoTime() + new java.util.Random().nextInt();
        }
    }

    static List<String> purityViolations(Refs r) {
        List<String> v = new ArrayList<>();
        for (String t : r.types()) {
            for (String f : FORBIDDEN_TYPES) {
                if (f.endsWith("/") ? t.startsWith(f) : t.equals(f) || t.startsWith(f + "$")) {
                    v.add(r.name() + " uses " + t);
                }
            }
        }
        for (String m : r.methods()) {
            if (FORBIDDEN_METHODS.contains(m)) {
                v.add(r.name() + " calls " + m);
            }
        }
        return v;
    }

    static List<String> layerViolations(Refs r) {
        List<String> v = new ArrayList<>();
        String from = packageOf(r.name());
        Integer fromLayer = LAYER.get(from);
        if (fromLayer == null) {
            v.add(r.name() + " is in a package with no layer: " + from);
            return v;
        }
        for (String t : r.types()) {
            if (!t.startsWith("pilot/core/")) {
                continue;
            }
            String to = packageOf(t);
            Integer toLayer = LAYER.get(to);
            if (!to.equals(from) && (toLayer == null || toLayer >= fromLayer)) {
                v.add(r.name() + " (" + from + ") uses " + t + " (" + to + ")");
            }
        }
        return v;
    }

    private static String packageOf(String internalName) {
        String rest = internalName.substring("pilot/core/".length());
        int slash = rest.lastIndexOf('/');
        return slash < 0 ? "" : rest.substring(0, slash);
    }

    static List<Refs> coreClasses() throws Exception {
        Path root = Path.of(ErrorCode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Refs> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(read(in));
                }
            }
        }
        return out;
    }

    /** Reads the constant pool of one class file (JVMS 4.4) and collects every type and method it names. */
    static Refs read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classIndex = new int[count];
        int[][] ref = new int[count][];
        int[][] nameAndType = new int[count][];
        boolean[] isClass = new boolean[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++;
                }
                case 7 -> {
                    isClass[i] = true;
                    classIndex[i] = in.readUnsignedShort();
                }
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 10, 11 -> ref[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 17, 18 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort();
        String name = utf8[classIndex[in.readUnsignedShort()]];
        TreeSet<String> types = new TreeSet<>();
        TreeSet<String> methods = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (isClass[i]) {
                String t = utf8[classIndex[i]];
                Matcher array = TYPE_IN_DESCRIPTOR.matcher(t);
                types.add(t.startsWith("[") && array.find() ? array.group(1) : t);
            }
            if (utf8[i] != null) {
                Matcher m = TYPE_IN_DESCRIPTOR.matcher(utf8[i]);
                while (m.find()) {
                    types.add(m.group(1));
                }
            }
            if (ref[i] != null) {
                String owner = utf8[classIndex[ref[i][0]]];
                methods.add(owner + "." + utf8[nameAndType[ref[i][1]][0]]);
            }
        }
        types.remove(name);
        return new Refs(name, types, methods);
    }
}
