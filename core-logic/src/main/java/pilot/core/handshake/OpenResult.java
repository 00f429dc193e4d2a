package pilot.core.handshake;

import pilot.core.Result;
import pilot.core.wire.Packet;

/**
 * The outcome of opening one PILS frame.
 *
 * @param packet      the packet, or why it was dropped
 * @param rehandshake a fresh PILA to send to the sender because a failure run dropped the session
 *                    (spec F.5), else {@code null}
 */
public record OpenResult(Result<Packet> packet, byte[] rehandshake) {
}
