package pilot.core.node;

import pilot.core.addr.Endpoint;

/** One UDP datagram the host must send: exactly these bytes to this endpoint. */
public record Transmit(Endpoint to, byte[] datagram) {
}
