package pilot.core.stream;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/** The test side of a stream table's output: drains {@link StreamTable#poll()} into a listener, as an owner does. */
final class Outputs {
    /** What a test wants to hear of; every method defaults to ignoring it. */
    interface Listener {
        default void send(Packet packet) {
        }

        default void opened(int stream) {
        }

        default void accepted(int stream, int localPort, Address remote, int remotePort) {
        }

        default void readable(int stream) {
        }

        default void writable(int stream) {
        }

        default void closed(int stream, ErrorCode reason) {
        }

        default void dropped(ErrorCode reason) {
        }
    }

    private Outputs() {
    }

    /** Hands every queued output of {@code table} to {@code l}, in order. */
    static void drain(StreamTable table, Listener l) {
        for (StreamOutput o = table.poll(); o != null; o = table.poll()) {
            if (o instanceof StreamOutput.Send s) {
                l.send(s.packet());
            } else if (o instanceof StreamOutput.Opened x) {
                l.opened(x.stream());
            } else if (o instanceof StreamOutput.Accepted x) {
                l.accepted(x.stream(), x.localPort(), x.remote(), x.remotePort());
            } else if (o instanceof StreamOutput.Readable x) {
                l.readable(x.stream());
            } else if (o instanceof StreamOutput.Writable x) {
                l.writable(x.stream());
            } else if (o instanceof StreamOutput.Closed x) {
                l.closed(x.stream(), x.reason());
            } else if (o instanceof StreamOutput.Dropped x) {
                l.dropped(x.reason());
            }
        }
    }
}
