package pilot.host.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pilot.core.addr.Address;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;

/**
 * A Pilot stream for application threads: blocking {@link #input()} and {@link #output()} streams over
 * the daemon's event loop. Writes block while the stream's send buffer is full (backpressure); reads
 * block until data, end of stream (-1) or an error (IOException with the reason).
 */
public final class HostStream implements AutoCloseable {
    private final HostDaemon daemon;
    final int id;
    private final Address peer;
    private final int port;
    final StreamPipe pipe;
    private volatile long readTimeoutMillis = 60_000;
    /** A write that accepts no byte for this long fails (the peer stopped reading or vanished). */
    static final long NO_PROGRESS_MILLIS = 120_000;
    private final Object writeLock = new Object();

    HostStream(HostDaemon daemon, int id, Address peer, int port, int pipeBytes) {
        this.daemon = daemon;
        this.id = id;
        this.peer = peer;
        this.port = port;
        this.pipe = new StreamPipe(pipeBytes);
    }

    public Address peer() {
        return peer;
    }

    public int port() {
        return port;
    }

    /** Bytes handed to the application so far (read or waiting in the pipe). */
    public long receivedBytes() {
        return pipe.total();
    }

    public void setReadTimeout(long millis) {
        this.readTimeoutMillis = millis;
    }

    public InputStream input() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = pipe.read(b, off, len, readTimeoutMillis);
                if (pipe.takeRefill()) { // the loop left data in the core for want of room: let more in
                    daemon.submit(() -> daemon.pullInto(HostStream.this));
                }
                return n;
            }
        };
    }

    public OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                HostStream.this.write(b, off, len);
            }

            @Override
            public void close() {
                HostStream.this.close();
            }
        };
    }

    /** Writes everything, blocking while the send buffer is full. */
    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /**
     * Writes {@code data[off, off + len)}, blocking while the send buffer is full. The array is handed to the
     * loop once, in place: the loop feeds it to the core as ACKs free room (one hand-off per call, not one per
     * refill), and this thread waits until the last byte was accepted. Writes on one stream are serialised.
     */
    public void write(byte[] data, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (len == 0) {
            return;
        }
        synchronized (writeLock) {
            HostDaemon.PendingWrite w = new HostDaemon.PendingWrite(id, data, off, off + len);
            daemon.submit(() -> daemon.startWrite(w));
            long progress = w.position();
            while (true) {
                try {
                    w.done.get(NO_PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                } catch (InterruptedException e) {
                    daemon.cancelWrite(w);
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause().getMessage(), e.getCause());
                } catch (TimeoutException e) {
                    if (w.position() == progress) {
                        daemon.cancelWrite(w);
                        throw new IOException("stream made no progress for " + NO_PROGRESS_MILLIS / 1000 + " s");
                    }
                    progress = w.position();
                }
            }
        }
    }

    /**
     * Makes this stream a request/reply exchange: writes to an echo are paced to the echo, and
     * {@link #close(CloseMode) close(AFTER_REPLY)} ends it when the reply has ended. Call before writing.
     */
    public void expectReply(ReplyPolicy policy) {
        daemon.submit(() -> daemon.node().expectReply(id, policy, daemon.now()));
    }

    /** Half-close: no more writes; the peer reads to end of stream. */
    @Override
    public void close() {
        close(CloseMode.HALF);
    }

    /** Ends the stream as {@code mode} says: half-close, full close, or after the reply. */
    public void close(CloseMode mode) {
        daemon.submit(() -> daemon.node().closeStream(id, mode, daemon.now()));
    }

    public void abort() {
        daemon.submit(() -> daemon.node().abortStream(id, daemon.now()));
    }
}
