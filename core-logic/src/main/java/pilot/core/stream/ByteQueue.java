package pilot.core.stream;

/** A growable FIFO of bytes (ring buffer). Capacity grows by doubling up to what callers bound. */
final class ByteQueue {
    private byte[] buf = new byte[256];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void write(byte[] src, int off, int len) {
        ensure(size + len);
        int tail = (head + size) % buf.length;
        int first = Math.min(len, buf.length - tail);
        System.arraycopy(src, off, buf, tail, first);
        System.arraycopy(src, off + first, buf, 0, len - first);
        size += len;
    }

    /** Copies the first {@code len} bytes starting {@code skip} bytes in, without removing them. */
    byte[] peek(int skip, int len) {
        byte[] out = new byte[len];
        int start = (head + skip) % buf.length;
        int first = Math.min(len, buf.length - start);
        System.arraycopy(buf, start, out, 0, first);
        System.arraycopy(buf, 0, out, first, len - first);
        return out;
    }

    byte[] read(int len) {
        byte[] out = peek(0, len);
        skip(len);
        return out;
    }

    void skip(int len) {
        head = (head + len) % buf.length;
        size -= len;
        if (size == 0) {
            head = 0;
        }
    }

    void clear() {
        head = 0;
        size = 0;
        buf = new byte[256];
    }

    /** Bytes of storage held (for memory accounting). */
    int capacity() {
        return buf.length;
    }

    private void ensure(int need) {
        if (need <= buf.length) {
            return;
        }
        int cap = buf.length;
        while (cap < need) {
            cap *= 2;
        }
        byte[] n = new byte[cap];
        int first = Math.min(size, buf.length - head);
        System.arraycopy(buf, head, n, 0, first);
        System.arraycopy(buf, 0, n, first, size - first);
        buf = n;
        head = 0;
    }
}
