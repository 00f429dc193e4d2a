package pilot.core.frame;

import java.util.Arrays;
import pilot.core.wire.Bytes;

/**
 * {@code PILK ‖ sender id ‖ X25519 public}: anonymous key exchange (spec C, D.3). We never send it;
 * a received one from a node with a trusted key is answered with our PILA and installs nothing.
 */
public record AnonKeyFrame(int senderNode, byte[] x25519) implements TunnelFrame {
    public static final int MIN_BODY = 4 + AuthKeyFrame.KEY_SIZE;
    public static final int SIZE = Magic.SIZE + MIN_BODY;

    public AnonKeyFrame {
        if (x25519 == null || x25519.length != AuthKeyFrame.KEY_SIZE) {
            throw new IllegalArgumentException("X25519 key must be 32 bytes");
        }
        x25519 = x25519.clone();
    }

    @Override
    public byte[] x25519() {
        return x25519.clone();
    }

    @Override
    public FrameKind kind() {
        return FrameKind.ANON_KEY;
    }

    @Override
    public byte[] encode() {
        byte[] out = new byte[SIZE];
        Bytes.put32(out, 0, Magic.PILK);
        Bytes.put32(out, 4, senderNode);
        System.arraycopy(x25519, 0, out, 8, AuthKeyFrame.KEY_SIZE);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnonKeyFrame f && f.senderNode == senderNode && Arrays.equals(f.x25519, x25519);
    }

    @Override
    public int hashCode() {
        return senderNode * 31 + Arrays.hashCode(x25519);
    }
}
