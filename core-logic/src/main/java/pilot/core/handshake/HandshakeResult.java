package pilot.core.handshake;

import pilot.core.ErrorCode;

/**
 * What handling one key-exchange frame did.
 *
 * @param error     {@code null} when the frame was accepted, else why it was refused (state unchanged)
 * @param detail    readable reason for a refusal
 * @param installed a new session key state was installed for the peer
 * @param reply     a PILA frame to send back to the peer, or {@code null}
 * @param freshKey  the PILA carried an X25519 key never accepted from that node before: only such a frame
 *                  may move the peer's endpoint (a PILA with a known key may be a copy played back from
 *                  anywhere)
 */
public record HandshakeResult(ErrorCode error, String detail, boolean installed, byte[] reply, boolean freshKey) {
    static HandshakeResult refused(ErrorCode error, String detail) {
        return new HandshakeResult(error, detail, false, null, false);
    }

    static HandshakeResult accepted(boolean installed, byte[] reply) {
        return new HandshakeResult(null, null, installed, reply, false);
    }

    static HandshakeResult installed(byte[] reply, boolean freshKey) {
        return new HandshakeResult(null, null, true, reply, freshKey);
    }

    public boolean isOk() {
        return error == null;
    }
}
