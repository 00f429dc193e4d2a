package pilot.core.frame;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** Classifies and decodes one UDP datagram (spec C, receive order of steps 1-4). */
public final class FrameCodec {
    private FrameCodec() {
    }

    public static Result<TunnelFrame> decode(byte[] b) {
        return b == null ? Result.fail(ErrorCode.INVALID_ARGUMENT, "null") : decode(b, 0, b.length);
    }

    public static Result<TunnelFrame> decode(byte[] b, int off, int len) {
        if (b == null || off < 0 || len < 0 || off + len > b.length) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "bad buffer bounds");
        }
        if (len == 0) {
            return Result.fail(ErrorCode.TRUNCATED, "empty datagram");
        }
        if ((b[off] & 0xFF) < Magic.BEACON_LIMIT) {
            return Result.ok(new BeaconFrame(b[off] & 0xFF, Bytes.slice(b, off + 1, len - 1)));
        }
        if (len < Magic.SIZE) {
            return Result.fail(ErrorCode.TRUNCATED, "datagram shorter than a magic: " + len);
        }
        int body = len - Magic.SIZE;
        int at = off + Magic.SIZE;
        switch (Bytes.i32(b, off)) {
            case Magic.PILT:
                return plain(b, at, body);
            case Magic.PILS:
                if (body < SealedFrame.MIN_BODY) {
                    return short_("PILS", body);
                }
                return Result.ok(SealedFrame.owning(Bytes.i32(b, at), Bytes.slice(b, at + 4, SealedFrame.NONCE_SIZE),
                        Bytes.slice(b, at + 4 + SealedFrame.NONCE_SIZE, body - 4 - SealedFrame.NONCE_SIZE)));
            case Magic.PILA:
                if (body < AuthKeyFrame.MIN_BODY) {
                    return short_("PILA", body);
                }
                return Result.ok(new AuthKeyFrame(Bytes.i32(b, at), Bytes.slice(b, at + 4, 32), Bytes.slice(b, at + 36, 32),
                        Bytes.slice(b, at + 68, 64), PilaTrailer.decode(b, off + AuthKeyFrame.SIZE, off + len)));
            case Magic.PILK:
                if (body < AnonKeyFrame.MIN_BODY) {
                    return short_("PILK", body);
                }
                return Result.ok(new AnonKeyFrame(Bytes.i32(b, at), Bytes.slice(b, at + 4, 32)));
            case Magic.PILP:
                return Result.ok(new PunchFrame());
            case Magic.PILF:
                return Result.fail(ErrorCode.BAD_MAGIC, "PILF fragmentation (Fork-Y only) is not supported");
            default:
                return Result.fail(ErrorCode.BAD_MAGIC, "unknown frame magic");
        }
    }

    private static Result<TunnelFrame> plain(byte[] b, int at, int body) {
        Result<Packet> p = PacketCodec.decode(b, at, body);
        return p.isOk() ? Result.ok(new PlainFrame(p.value())) : p.castFailure();
    }

    /**
     * A PILS frame whose ciphertext ‖ tag its host keeps: its header ({@link SealedFrame#OVERHEAD} bytes) and
     * {@code placeholders} of their length, taken as they are ({@link SealedFrame#held}).
     */
    public static Result<TunnelFrame> decodeHeld(byte[] header, byte[] placeholders) {
        if (header == null || placeholders == null || header.length != SealedFrame.OVERHEAD || placeholders.length < SealedFrame.TAG_SIZE
                || Bytes.i32(header, 0) != Magic.PILS) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "a held frame is a PILS header and placeholders for at least a tag");
        }
        return Result.ok(SealedFrame.held(Bytes.i32(header, Magic.SIZE), Bytes.slice(header, Magic.SIZE + 4, SealedFrame.NONCE_SIZE), placeholders));
    }

    private static Result<TunnelFrame> short_(String what, int body) {
        return Result.fail(ErrorCode.TRUNCATED, what + " body too short: " + body);
    }
}
