package pilot.core.frame;

import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** {@code PILT ‖ packet}: a plaintext packet (spec C). */
public record PlainFrame(Packet packet) implements TunnelFrame {
    public PlainFrame {
        if (packet == null) {
            throw new IllegalArgumentException("packet required");
        }
    }

    @Override
    public FrameKind kind() {
        return FrameKind.PLAIN;
    }

    @Override
    public byte[] encode() {
        byte[] out = new byte[Magic.SIZE + PacketCodec.HEADER_SIZE + packet.payloadLength()];
        Bytes.put32(out, 0, Magic.PILT);
        PacketCodec.encodeInto(packet, out, Magic.SIZE);
        return out;
    }
}
