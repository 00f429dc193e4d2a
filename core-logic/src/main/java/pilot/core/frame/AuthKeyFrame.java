package pilot.core.frame;

import java.util.Arrays;
import pilot.core.wire.Bytes;

/**
 * {@code PILA}: authenticated key exchange (spec C, D.2).
 * <pre>
 * 0     4            8                    40                   72                          136
 * | PILA | sender id | X25519 public (32) | Ed25519 public (32) | Ed25519 signature (64) | [trailer]
 * </pre>
 * The signature covers the 40-byte {@link #challenge}: ASCII {@code auth} ‖ sender id ‖ X25519 key.
 * The optional Fork-J trailer (spec D.4) is outside the signature: it is parsed for information and
 * must never influence a decision.
 */
public record AuthKeyFrame(int senderNode, byte[] x25519, byte[] ed25519, byte[] signature, PilaTrailer trailer)
        implements TunnelFrame {
    public static final int KEY_SIZE = 32;
    public static final int SIGNATURE_SIZE = 64;
    /** Bytes after the magic that every PILA must have (spec C minimum). */
    public static final int MIN_BODY = 4 + KEY_SIZE + KEY_SIZE + SIGNATURE_SIZE;
    public static final int SIZE = Magic.SIZE + MIN_BODY;
    public static final int CHALLENGE_SIZE = 40;

    public AuthKeyFrame {
        if (x25519 == null || x25519.length != KEY_SIZE || ed25519 == null || ed25519.length != KEY_SIZE
                || signature == null || signature.length != SIGNATURE_SIZE) {
            throw new IllegalArgumentException("PILA keys must be 32 bytes and the signature 64");
        }
        x25519 = x25519.clone();
        ed25519 = ed25519.clone();
        signature = signature.clone();
        trailer = trailer == null ? PilaTrailer.NONE : trailer;
    }

    /** The signed message of spec D.2: {@code "auth" ‖ node id BE ‖ X25519 public key}. */
    public static byte[] challenge(int senderNode, byte[] x25519Public) {
        byte[] msg = new byte[CHALLENGE_SIZE];
        msg[0] = 'a';
        msg[1] = 'u';
        msg[2] = 't';
        msg[3] = 'h';
        Bytes.put32(msg, 4, senderNode);
        System.arraycopy(x25519Public, 0, msg, 8, KEY_SIZE);
        return msg;
    }

    public byte[] challenge() {
        return challenge(senderNode, x25519);
    }

    @Override
    public byte[] x25519() {
        return x25519.clone();
    }

    @Override
    public byte[] ed25519() {
        return ed25519.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public FrameKind kind() {
        return FrameKind.AUTH_KEY;
    }

    @Override
    public byte[] encode() {
        byte[] tail = trailer.encode();
        byte[] out = new byte[SIZE + tail.length];
        Bytes.put32(out, 0, Magic.PILA);
        Bytes.put32(out, 4, senderNode);
        System.arraycopy(x25519, 0, out, 8, KEY_SIZE);
        System.arraycopy(ed25519, 0, out, 40, KEY_SIZE);
        System.arraycopy(signature, 0, out, 72, SIGNATURE_SIZE);
        System.arraycopy(tail, 0, out, SIZE, tail.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthKeyFrame f && f.senderNode == senderNode && Arrays.equals(f.x25519, x25519)
                && Arrays.equals(f.ed25519, ed25519) && Arrays.equals(f.signature, signature)
                && f.trailer.equals(trailer);
    }

    @Override
    public int hashCode() {
        return senderNode * 31 + Arrays.hashCode(x25519);
    }

    @Override
    public String toString() {
        return "AuthKeyFrame[sender=" + Integer.toUnsignedString(senderNode) + " x25519="
                + pilot.core.wire.Hex.encode(java.util.Arrays.copyOf(x25519, 4)) + "… " + trailer + "]";
    }
}
