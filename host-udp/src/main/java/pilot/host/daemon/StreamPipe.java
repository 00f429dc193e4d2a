package pilot.host.daemon;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Bytes received on a stream, handed from the event loop to an application thread. Bounded: the loop
 * only moves data in while there is room, so a slow reader slows the peer (through the receive window)
 * instead of growing memory.
 */
final class StreamPipe {
    private final byte[] buf;
    private int head;
    private int size;
    private boolean eof;
    private String error;

    StreamPipe(int capacity) {
        this.buf = new byte[capacity];
    }

    synchronized int room() {
        return buf.length - size;
    }

    private long total;
    /** The loop left bytes in the core because this pipe was full; the reader asks for them once it made room. */
    private boolean refill;

    /** Loop: data is waiting in the core for room here. */
    synchronized void needRefill() {
        refill = true;
    }

    /**
     * Reader, after a read: true once (the caller asks the loop to move more in) when the loop is waiting for
     * room and a quarter of the pipe is free, so a reader taking small bites wakes the loop once per quarter,
     * not once per read.
     */
    synchronized boolean takeRefill() {
        if (refill && (buf.length - size >= buf.length / 4 || size == 0)) {
            refill = false;
            return true;
        }
        return false;
    }

    synchronized long total() {
        return total;
    }

    synchronized void put(byte[] data) {
        if (data.length > room()) {
            throw new IllegalStateException("pipe overflow");
        }
        total += data.length;
        int tail = (head + size) % buf.length;
        int first = Math.min(data.length, buf.length - tail); // up to the end of the ring, then from its start
        System.arraycopy(data, 0, buf, tail, first);
        System.arraycopy(data, first, buf, 0, data.length - first);
        size += data.length;
        notifyAll();
    }

    /** Ends the stream; the first outcome wins (a late clean end never hides an error). */
    synchronized void finish(String errorOrNull) {
        if (eof) {
            return;
        }
        eof = true;
        error = errorOrNull;
        notifyAll();
    }

    /** Blocks until data, end of stream (-1) or error (IOException). */
    synchronized int read(byte[] dst, int off, int len, long timeoutMillis) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (size == 0 && !eof) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new java.net.SocketTimeoutException("no data within " + timeoutMillis + " ms");
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }
        if (size == 0) {
            if (error != null) {
                throw new IOException("stream failed: " + error);
            }
            return -1;
        }
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        head = (head + n) % buf.length;
        size -= n;
        return n;
    }
}
