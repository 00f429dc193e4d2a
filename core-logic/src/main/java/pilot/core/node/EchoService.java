package pilot.core.node;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import pilot.core.Result;
import pilot.core.addr.Ports;
import pilot.core.stream.StreamTable;
import pilot.core.wire.Bytes;

/**
 * The echo service on port 7 (spec H.3), served inside the node as the reference daemon does: reads what
 * arrived, writes it back, holds what did not fit until the stream is writable, and closes after the
 * peer's end of stream. At most one read's worth is held per stream. The node hands it the stream signals
 * it drains and runs {@link #service} after every step, again while a drain made a stream due.
 */
final class EchoService {
    private final boolean enabled;
    /** Echo streams and the bytes read but not yet written back. */
    private final Map<Integer, byte[]> held = new HashMap<>();
    /** Echo streams with something to do, in signal order. */
    private final LinkedHashSet<Integer> due = new LinkedHashSet<>();

    EchoService(boolean enabled) {
        this.enabled = enabled;
    }

    /** A stream was accepted on {@code localPort}: true when it is ours (the application never sees it). */
    boolean claim(int stream, int localPort) {
        if (localPort != Ports.ECHO || !enabled) {
            return false;
        }
        held.put(stream, new byte[0]);
        return true;
    }

    /** A readable or writable signal: true when it was for an echo stream (now due for service). */
    boolean signal(int stream) {
        if (!held.containsKey(stream)) {
            return false;
        }
        due.add(stream);
        return true;
    }

    /** A stream closed: true when it was an echo stream. */
    boolean closed(int stream) {
        return held.remove(stream) != null;
    }

    /** True while some echo stream waits for {@link #service}. */
    boolean hasDue() {
        return !due.isEmpty();
    }

    /** Serves every due echo stream: read up to {@code readMax}, write back, close after the peer's end. */
    void service(StreamTable streams, int readMax, long now) {
        while (!due.isEmpty()) {
            Integer id = due.iterator().next();
            due.remove(id);
            byte[] pending = held.get(id);
            if (pending == null) {
                continue;
            }
            if (pending.length == 0 && streams.readable(id) > 0) {
                pending = streams.read(id, readMax, now).value();
            }
            if (pending.length > 0) {
                Result<Integer> w = streams.write(id, pending, 0, pending.length, now);
                if (!w.isOk()) {
                    held.remove(id);
                    streams.abort(id, now);
                    continue;
                }
                pending = Bytes.slice(pending, w.value(), pending.length - w.value()); // arraycopy: no byte loop in wasm
            }
            if (held.containsKey(id)) {
                held.put(id, pending);
            }
            if (pending.length == 0 && streams.readable(id) > 0) {
                due.add(id);
            } else if (pending.length == 0 && streams.atEof(id)) {
                streams.close(id, now);
            }
        }
    }
}
