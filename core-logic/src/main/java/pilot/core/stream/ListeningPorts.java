package pilot.core.stream;

import java.util.HashSet;
import java.util.Set;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Ports;

/** The ports a SYN may open a stream on (spec G.3): any valid port except the control port. */
final class ListeningPorts {
    private final Set<Integer> ports = new HashSet<>();

    Result<Integer> add(int port) {
        if (!Ports.isValid(port) || port == Ports.PING) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "port must be 1..65535: " + port);
        }
        if (!ports.add(port)) {
            return Result.fail(ErrorCode.INVALID_STATE, "port " + port + " already listening");
        }
        return Result.ok(port);
    }

    void remove(int port) {
        ports.remove(port);
    }

    boolean contains(int port) {
        return ports.contains(port);
    }
}
