package pilot.core.stream;

import java.util.ArrayDeque;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * The one ordered queue of a stream table's output ({@link StreamOutput}), filled by the connections and
 * emptied by the owner through {@link StreamTable#poll()}. The owner drains it after every call, so it
 * holds at most one step's output (one step sends at most a window per stream, which the stream bounds
 * limit).
 */
final class Outbox {
    private final ArrayDeque<StreamOutput> queue = new ArrayDeque<>();

    void send(Packet p) {
        queue.add(new StreamOutput.Send(p));
    }

    void opened(int stream) {
        queue.add(new StreamOutput.Opened(stream));
    }

    void accepted(int stream, int localPort, Address remote, int remotePort) {
        queue.add(new StreamOutput.Accepted(stream, localPort, remote, remotePort));
    }

    void readable(int stream) {
        queue.add(new StreamOutput.Readable(stream));
    }

    void writable(int stream) {
        queue.add(new StreamOutput.Writable(stream));
    }

    void closed(int stream, ErrorCode reason) {
        queue.add(new StreamOutput.Closed(stream, reason));
    }

    void dropped(ErrorCode reason) {
        queue.add(new StreamOutput.Dropped(reason));
    }

    StreamOutput poll() {
        return queue.poll();
    }

    int size() {
        return queue.size();
    }
}
