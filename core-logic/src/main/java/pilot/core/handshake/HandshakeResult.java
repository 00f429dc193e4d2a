package pilot.core.handshake;

import pilot.core.ErrorCode;

/**
 * What handling one key-exchange frame did.
 *
 * @param error     {@code null} when the frame was accepted, else why it was refused (state unchanged)
 * @param detail    readable reason for a refusal
 * @param installed a new session key state was installed for the peer
 * @param reply     a PILA frame to send back to the peer, or {@code null}
 */
public record HandshakeResult(ErrorCode error, String detail, boolean installed, byte[] reply) {
    static HandshakeResult refused(ErrorCode error, String detail) {
        return new HandshakeResult(error, detail, false, null);
    }

    static HandshakeResult accepted(boolean installed, byte[] reply) {
        return new HandshakeResult(null, null, installed, reply);
    }

    public boolean isOk() {
        return error == null;
    }
}
