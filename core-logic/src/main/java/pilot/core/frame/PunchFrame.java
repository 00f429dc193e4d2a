package pilot.core.frame;

import pilot.core.wire.Bytes;

/** {@code PILP}: NAT punch; carries nothing and receivers ignore it (spec C). */
public record PunchFrame() implements TunnelFrame {
    @Override
    public FrameKind kind() {
        return FrameKind.PUNCH;
    }

    @Override
    public byte[] encode() {
        byte[] out = new byte[Magic.SIZE];
        Bytes.put32(out, 0, Magic.PILP);
        return out;
    }
}
