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
     * Linear memory to a Java array. WasmGC has no bulk copy between the two, so it is a loop; it reads four
     * bytes per load (wasm memory is little-endian) and works in i32, which takes fewer instructions per byte
     * than one 64-bit word per eight bytes (no wrap per byte stored, no extend per byte loaded in {@link #write}).
     */
    private static void copyIn(Address p, byte[] dst, int off, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            int lo = p.add(i).getInt();
            int hi = p.add(i + 4).getInt();
            int k = off + i;
            dst[k] = (byte) lo;
            dst[k + 1] = (byte) (lo >>> 8);
            dst[k + 2] = (byte) (lo >>> 16);
            dst[k + 3] = (byte) (lo >>> 24);
            dst[k + 4] = (byte) hi;
            dst[k + 5] = (byte) (hi >>> 8);
            dst[k + 6] = (byte) (hi >>> 16);
            dst[k + 7] = (byte) (hi >>> 24);
        }
        for (; i < len; i++) {
            dst[off + i] = p.add(i).getByte();
        }
    }

    /** Copies {@code len} bytes of {@code src} from {@code off} to the region at {@code at} (room ensured by the caller). */
    static void write(int at, byte[] src, int off, int len) {
        Address p = base.add(at);
        int i = 0;
        for (; i + 8 <= len; i += 8) { // two i32 stores per eight bytes, as copyIn (the top byte needs no mask)
            int k = off + i;
            p.add(i).putInt((src[k] & 0xFF) | (src[k + 1] & 0xFF) << 8 | (src[k + 2] & 0xFF) << 16 | src[k + 3] << 24);
            p.add(i + 4).putInt((src[k + 4] & 0xFF) | (src[k + 5] & 0xFF) << 8 | (src[k + 6] & 0xFF) << 16 | src[k + 7] << 24);
        }
        for (; i < len; i++) {
            p.add(i).putByte(src[off + i]);
        }
    }

    /** Whether the region holds {@code n} bytes (what JavaScript may have put there). */
    static boolean holds(int n) {
        return base != null && n >= 0 && n <= capacity;
    }

    /** The big-endian u32 at {@code at} of the region (in bounds: checked by the caller), without an array. */
    static int i32(int at) {
        Address p = base.add(at);
        return (p.getByte() & 0xFF) << 24 | (p.add(1).getByte() & 0xFF) << 16 | (p.add(2).getByte() & 0xFF) << 8
                | (p.add(3).getByte() & 0xFF);
    }

    /** Writes the big-endian u32 {@code v} at {@code at} of the region (room ensured by the caller). */
    static void put32(int at, int v) {
        Address p = base.add(at);
        p.putByte((byte) (v >>> 24));
        p.add(1).putByte((byte) (v >>> 16));
        p.add(2).putByte((byte) (v >>> 8));
        p.add(3).putByte((byte) v);
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
