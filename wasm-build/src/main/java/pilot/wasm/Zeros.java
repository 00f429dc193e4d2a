package pilot.wasm;

/**
 * Zeros standing in for bytes JavaScript keeps (issue 15: the Worker's seal + open), which the node only copies
 * or never reads: a sent payload ({@code PilotNode.sendDatagram} with a host reference), a received frame's
 * ciphertext ‖ tag ({@code PilotNode.handleDatagram} with a host reference), a kept seal's ciphertext
 * ({@link HeldSeals}). One array per use, reused while the length repeats: no allocation per packet.
 */
final class Zeros {
    private byte[] zeros = new byte[0];

    /** Zeros of {@code len} bytes ({@code len} >= 0); the same array as before when the length repeats. */
    byte[] of(int len) {
        if (zeros.length != len) {
            zeros = new byte[len];
        }
        return zeros;
    }
}
