package pilot.core.stream;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * What the stream layer hands its owner, in the order it happened: packets to send and signals for the
 * application. The owner drains them with {@link StreamTable#poll()} after every call into the table;
 * nothing in the stream layer calls back up.
 */
public sealed interface StreamOutput {
    /** A stream packet to deliver to {@code packet.dst()} through the tunnel. */
    record Send(Packet packet) implements StreamOutput {
    }

    /** Our SYN was answered: the stream can carry data both ways. */
    record Opened(int stream) implements StreamOutput {
    }

    /** A peer opened a stream to one of our listening ports. */
    record Accepted(int stream, int localPort, Address remote, int remotePort) implements StreamOutput {
    }

    /** Bytes (or the end of the peer's data) are ready to read. */
    record Readable(int stream) implements StreamOutput {
    }

    /** A write that was refused for lack of buffer space may be retried. */
    record Writable(int stream) implements StreamOutput {
    }

    /** A SYN was not admitted ({@code RATE_LIMITED}, {@code LIMIT_REACHED}): the node counts it with its drops. */
    record Dropped(ErrorCode reason) implements StreamOutput {
    }

    /** The stream ended: {@code reason} is null after a clean close in both directions. */
    record Closed(int stream, ErrorCode reason) implements StreamOutput {
    }
}
