package pilot.core.edge;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Endpoint;
import pilot.core.wire.Bytes;

/**
 * The relay's binary WebSocket message, {@code ipLen(1) ‖ ip(4|16) ‖ port(2, big-endian) ‖ frame}: from a
 * Worker, the destination of the frame; to a Worker, its source. The wasm node facade takes and gives the
 * same layout, so a Worker hands relay messages to the core and back as bytes, never as IP text.
 *
 * @param peer         the endpoint in the header
 * @param frameOffset  where the frame starts in the message (the header length, 7 or 19)
 */
public record RelayMessage(Endpoint peer, int frameOffset) {
    /** Header of an IPv4 / IPv6 message. */
    public static final int HEADER_V4 = 1 + 4 + 2;
    public static final int HEADER_V6 = 1 + 16 + 2;
    /** Largest message: a maximal tunnel frame (64 KiB payload plus frame headers) plus the IPv6 header. */
    public static final int MAX_BYTES = 65_535 + 36 + HEADER_V6;

    /**
     * Reads the header of {@code msg}: {@code TRUNCATED} (shorter than its header), {@code BAD_LENGTH}
     * (ipLen not 4 or 16, or longer than {@link #MAX_BYTES}), {@code BAD_ADDRESS} (port 0). The frame may be
     * empty (an endpoint alone); whether it is a Pilot frame is the caller's check.
     */
    public static Result<RelayMessage> decode(byte[] msg) {
        if (msg == null || msg.length < 1) {
            return Result.fail(ErrorCode.TRUNCATED, "empty relay message");
        }
        int n = msg[0] & 0xFF;
        if (n != 4 && n != 16) {
            return Result.fail(ErrorCode.BAD_LENGTH, "ip length " + n + " is neither 4 nor 16");
        }
        if (msg.length < 3 + n) {
            return Result.fail(ErrorCode.TRUNCATED, msg.length + " bytes, the header needs " + (3 + n));
        }
        if (msg.length > MAX_BYTES) {
            return Result.fail(ErrorCode.BAD_LENGTH, msg.length + " bytes, more than " + MAX_BYTES);
        }
        int port = Bytes.u16(msg, 1 + n);
        if (port == 0) {
            return Result.fail(ErrorCode.BAD_ADDRESS, "port 0");
        }
        byte[] ip = new byte[n];
        System.arraycopy(msg, 1, ip, 0, n);
        return Result.ok(new RelayMessage(new Endpoint(ip, port), 3 + n));
    }

    /** Bytes {@link #encode(Endpoint, byte[], int, int, byte[], int)} writes. */
    public static int size(Endpoint peer, int frameLength) {
        return 3 + peer.ipLength() + frameLength;
    }

    public static byte[] encode(Endpoint peer, byte[] frame, int off, int len) {
        byte[] out = new byte[size(peer, len)];
        encode(peer, frame, off, len, out, 0);
        return out;
    }

    /** Writes the message at {@code out[at]}; returns its length. */
    public static int encode(Endpoint peer, byte[] frame, int off, int len, byte[] out, int at) {
        int n = peer.copyIp(out, at + 1);
        out[at] = (byte) n;
        Bytes.put16(out, at + 1 + n, peer.port());
        if (len > 0) {
            System.arraycopy(frame, off, out, at + 3 + n, len);
        }
        return 3 + n + len;
    }
}
