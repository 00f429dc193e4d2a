package pilot.core.stream;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/** What the stream layer tells its owner: packets to send and events for the application. */
public interface StreamEvents {
    /** A stream packet to deliver to {@code packet.dst()} through the tunnel, at time {@code now}. */
    void send(Packet packet, long now);

    /** Our SYN was answered: the stream can carry data both ways. */
    void opened(int stream);

    /** A peer opened a stream to one of our listening ports. */
    void accepted(int stream, int localPort, Address remote, int remotePort);

    /** Bytes (or the end of the peer's data) are ready to {@code read}. */
    void readable(int stream);

    /** A write that was refused for lack of buffer space may be retried. */
    void writable(int stream);

    /** The stream ended: {@code reason} is null after a clean close in both directions. */
    void closed(int stream, ErrorCode reason);
}
