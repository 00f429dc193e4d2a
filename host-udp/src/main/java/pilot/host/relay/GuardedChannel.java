package pilot.host.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import org.java_websocket.WrappedByteChannel;

/**
 * One accepted TCP connection as Java-WebSocket sees it (plain or TLS underneath). Until the WebSocket
 * upgrade completes it counts the bytes read and fails the read beyond {@link RelayLimits#maxUpgradeBytes}:
 * Java-WebSocket itself buffers an unterminated upgrade request without limit. Its close runs the
 * relay's bookkeeping exactly once, whichever side closes.
 */
final class GuardedChannel implements WrappedByteChannel {
    private final ByteChannel inner;
    private final int maxUpgradeBytes;
    private final Runnable onClose;
    final String ip;
    final long acceptedAt;
    private volatile boolean upgraded;
    private long upgradeBytes;
    private boolean closed;

    GuardedChannel(ByteChannel inner, String ip, long acceptedAt, int maxUpgradeBytes, Runnable onClose) {
        this.inner = inner;
        this.ip = ip;
        this.acceptedAt = acceptedAt;
        this.maxUpgradeBytes = maxUpgradeBytes;
        this.onClose = onClose;
    }

    /** The upgrade completed: from now on the WebSocket draft's frame limits apply instead. */
    void upgraded() {
        upgraded = true;
    }

    boolean isUpgraded() {
        return upgraded;
    }

    private int counted(int n) throws IOException {
        if (!upgraded && n > 0) {
            upgradeBytes += n;
            if (upgradeBytes > maxUpgradeBytes) {
                throw new IOException("WebSocket upgrade request larger than " + maxUpgradeBytes + " bytes");
            }
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return counted(inner.read(dst));
    }

    @Override
    public int readMore(ByteBuffer dst) throws IOException {
        return counted(inner instanceof WrappedByteChannel w ? w.readMore(dst) : 0);
    }

    @Override
    public boolean isNeedRead() {
        return inner instanceof WrappedByteChannel w && w.isNeedRead();
    }

    @Override
    public boolean isNeedWrite() {
        return inner instanceof WrappedByteChannel w && w.isNeedWrite();
    }

    @Override
    public void writeMore() throws IOException {
        if (inner instanceof WrappedByteChannel w) {
            w.writeMore();
        }
    }

    @Override
    public boolean isBlocking() {
        return inner instanceof WrappedByteChannel w && w.isBlocking();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return inner.write(src);
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public void close() throws IOException {
        boolean first;
        synchronized (this) {
            first = !closed;
            closed = true;
        }
        try {
            inner.close();
        } finally {
            if (first) {
                onClose.run();
            }
        }
    }
}
