package pilot.core.frame;

import java.util.Arrays;

/** A beacon message (spec I.3): a code byte below 0x10 and its body, kept opaque at this layer. */
public record BeaconFrame(int code, byte[] body) implements TunnelFrame {
    public static final int DISCOVER = 0x01;
    public static final int DISCOVER_REPLY = 0x02;
    public static final int PUNCH_REQUEST = 0x03;
    public static final int PUNCH_COMMAND = 0x04;
    public static final int RELAY = 0x05;
    public static final int RELAY_DELIVER = 0x06;
    public static final int SYNC = 0x07;

    public BeaconFrame {
        if (code < 0 || code >= Magic.BEACON_LIMIT || body == null) {
            throw new IllegalArgumentException("beacon code must be 0..15 with a body");
        }
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public FrameKind kind() {
        return FrameKind.BEACON;
    }

    @Override
    public byte[] encode() {
        byte[] out = new byte[1 + body.length];
        out[0] = (byte) code;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BeaconFrame f && f.code == code && Arrays.equals(f.body, body);
    }

    @Override
    public int hashCode() {
        return code * 31 + Arrays.hashCode(body);
    }
}
