package pilot.wasm.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Build step: reports the raw and gzip -9 size of a wasm module and fails the build above the budget.
 * Usage: {@code SizeBudget <file.wasm> <max gzip bytes>}.
 */
public final class SizeBudget {
    private SizeBudget() {
    }

    public static void main(String[] args) throws IOException {
        byte[] wasm = Files.readAllBytes(Path.of(args[0]));
        long max = Long.parseLong(args[1]);
        long gz = gzipSize(wasm);
        System.out.printf("[pilot] %s: %,d bytes raw, %,d bytes gzip -9 (budget %,d)%n", Path.of(args[0]).getFileName(),
                wasm.length, gz, max);
        if (gz > max) {
            throw new IllegalStateException("wasm size budget exceeded: " + gz + " > " + max + " bytes gzipped");
        }
    }

    static long gzipSize(byte[] data) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(data);
        }
        return buf.size();
    }
}
