package pilot.wasm;

import org.teavm.interop.Address;
import org.teavm.runtime.heap.Heap;

/**
 * The one region of wasm linear memory that every byte array of the node facade crosses through.
 * JavaScript writes an export's input there with one {@code Uint8Array.set} (the address comes from
 * {@code nodeIo}), the export copies it into a Java array; outputs go the other way and JavaScript takes
 * them with one {@code slice}. This replaces TeaVM's own array conversion, which costs about eight
 * JavaScript calls per array and ships a converter inside every export that takes or returns one.
 * Every export copies all of its inputs out of the region before it does anything else, so the region is
 * free while the core runs ({@link PlatformAead} uses it for the cipher's input and output) and is written
 * last with the export's result. Reused for every call; it grows to the largest crossing (a poll batch is at most
 * {@link Layouts#POLL_BATCH_BYTES} plus one record) and never shrinks.
 */
final class Io {
    private static Address base;
    private static int capacity;

    private Io() {
    }

    /** The region's address once it holds at least {@code n} bytes; -1 when linear memory cannot grow. */
    static int ensure(int n) {
        if (n < 0) {
            return -1;
        }
        if (n > capacity || base == null) {
            int size = Math.max(n, Math.max(4096, capacity * 2));
            Address a = base == null ? Heap.alloc(size) : Heap.realloc(base, size);
            if (a == null || a.toInt() == 0) {
                return -1;
            }
            base = a;
            capacity = size;
        }
        return base.toInt();
    }

    /** A copy of {@code len} input bytes at {@code off}, or null when they do not fit the region. */
    static byte[] in(int off, int len) {
        if (off < 0 || len < 0 || base == null || off + len > capacity || off + len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        copyIn(base.add(off), b, 0, len);
        return b;
    }

    /**
     * Linear memory to a Java array. WasmGC has no bulk copy between the two, so it is a loop; it reads eight
     * bytes per load (wasm memory is little-endian), which halves the work of a byte-per-load loop on a
     * 1,200-byte packet (the packet path crosses several times per packet).
     */
    private static void copyIn(Address p, byte[] dst, int off, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long v = p.add(i).getLong();
            int k = off + i;
            dst[k] = (byte) v;
            dst[k + 1] = (byte) (v >>> 8);
            dst[k + 2] = (byte) (v >>> 16);
            dst[k + 3] = (byte) (v >>> 24);
            dst[k + 4] = (byte) (v >>> 32);
            dst[k + 5] = (byte) (v >>> 40);
            dst[k + 6] = (byte) (v >>> 48);
            dst[k + 7] = (byte) (v >>> 56);
        }
        for (; i < len; i++) {
            dst[off + i] = p.add(i).getByte();
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code off} to the region at {@code at} (room ensured by the caller). */
    static void write(int at, byte[] src, int off, int len) {
        Address p = base.add(at);
        int i = 0;
        for (; i + 8 <= len; i += 8) { // eight bytes per store, as copyIn
            int k = off + i;
            p.add(i).putLong((src[k] & 0xFFL) | (src[k + 1] & 0xFFL) << 8 | (src[k + 2] & 0xFFL) << 16
                    | (src[k + 3] & 0xFFL) << 24 | (src[k + 4] & 0xFFL) << 32 | (src[k + 5] & 0xFFL) << 40
                    | (src[k + 6] & 0xFFL) << 48 | (src[k + 7] & 0xFFL) << 56);
        }
        for (; i < len; i++) {
            p.add(i).putByte(src[off + i]);
        }
    }

    /** Copies {@code len} bytes from the region's start into {@code dst} at {@code off}. */
    static void read(byte[] dst, int off, int len) {
        copyIn(base, dst, off, len);
    }

    /** Writes {@code b} at the region's start: its length, -1 for null, or -2 when memory cannot grow. */
    static int out(byte[] b) {
        if (b == null) {
            return -1;
        }
        if (ensure(b.length) < 0) {
            return -2;
        }
        write(0, b, 0, b.length);
        return b.length;
    }
}
