package pilot.core.envelope;

import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.frame.Magic;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** PILS seal and open (spec E) over a {@link Session}. */
public final class Envelope {
    private Envelope() {
    }

    /**
     * Seals one marshalled packet: {@code PILS ‖ sender ‖ prefix ‖ counter ‖ GCM(packet)} with the next
     * counter of the session. {@code localNode} is our own node id (the sender, and the modern AAD).
     */
    public static byte[] seal(Session s, int localNode, byte[] packetBytes) {
        long counter = s.nextCounter();
        byte[] nonce = new byte[SealedFrame.NONCE_SIZE];
        System.arraycopy(s.noncePrefix(), 0, nonce, 0, Session.PREFIX_SIZE);
        Bytes.put64(nonce, Session.PREFIX_SIZE, counter);
        // sealed straight into the frame: no intermediate ciphertext array
        byte[] out = new byte[SealedFrame.OVERHEAD + packetBytes.length + SealedFrame.TAG_SIZE];
        Bytes.put32(out, 0, Magic.PILS);
        Bytes.put32(out, 4, localNode);
        System.arraycopy(nonce, 0, out, 8, SealedFrame.NONCE_SIZE);
        s.aead().sealInto(nonce, s.profile().aad(localNode), packetBytes, 0, packetBytes.length, out, SealedFrame.OVERHEAD);
        return out;
    }

    public static byte[] seal(Session s, int localNode, Packet packet) {
        return seal(s, localNode, PacketCodec.encode(packet));
    }

    /**
     * The frame a deferred seal fills (docs/ARCHITECTURE.md "AEAD as an effect"): {@code PILS ‖ sender ‖
     * nonce} written, the counter taken now (so nonces never repeat, whatever order completions come in),
     * and room for {@code packetLen} bytes of ciphertext ‖ tag at {@link SealedFrame#OVERHEAD}. The nonce is
     * at {@code [8, 20)} of the frame; the AAD is {@code s.profile().aad(localNode)}.
     */
    public static byte[] sealFrame(Session s, int localNode, int packetLen) {
        long counter = s.nextCounter();
        byte[] out = new byte[SealedFrame.OVERHEAD + packetLen + SealedFrame.TAG_SIZE];
        Bytes.put32(out, 0, Magic.PILS);
        Bytes.put32(out, 4, localNode);
        System.arraycopy(s.noncePrefix(), 0, out, 8, Session.PREFIX_SIZE);
        Bytes.put64(out, 8 + Session.PREFIX_SIZE, counter);
        return out;
    }

    /**
     * Opens a sealed frame (spec E.2 steps 4-7): replay check, AES-GCM open, packet decode, inner-source
     * check. The counter is recorded in the window only after the frame authenticated (spec F.4).
     */
    public static Result<Packet> open(Session s, SealedFrame frame) {
        ErrorCode verdict = check(s, frame);
        if (verdict != null) {
            return Result.fail(verdict, "counter " + Long.toUnsignedString(frame.counter()));
        }
        return finishOpen(s, frame, openAead(s, frame));
    }

    /** The replay window's verdict on the frame's counter, read-only (spec F.2): null to go on. */
    public static ErrorCode check(Session s, SealedFrame frame) {
        return s.window().check(frame.counter());
    }

    /** The AAD a frame from {@code senderNode} is authenticated with under {@code s}'s profile. */
    public static byte[] openAad(Session s, int senderNode) {
        return s.profile().aad(senderNode);
    }

    /** AES-GCM open of the frame under the session's own key: the plaintext, or null when the tag fails. */
    public static byte[] openAead(Session s, SealedFrame frame) {
        byte[] aad = openAad(s, frame.senderNode());
        return frame.read((nonce, ct) -> s.aead().open(nonce, aad, ct, 0, ct.length));
    }

    /**
     * The rest of an open once the AEAD answered ({@code plain} null: the tag failed): the window is checked
     * again (a copy of the frame may have completed meanwhile), and only an authenticated frame's counter is
     * committed; then the packet is decoded and its inner source checked.
     */
    public static Result<Packet> finishOpen(Session s, SealedFrame frame, byte[] plain) {
        return finishOpen(s, frame, plain, false);
    }

    /** {@link #finishOpen(Session, SealedFrame, byte[])}; {@code checksumChecked}: the host found the packet's checksum matching. */
    public static Result<Packet> finishOpen(Session s, SealedFrame frame, byte[] plain, boolean checksumChecked) {
        long counter = frame.counter();
        ErrorCode verdict = s.window().check(counter);
        if (verdict != null) {
            return Result.fail(verdict, "counter " + Long.toUnsignedString(counter));
        }
        if (plain == null) {
            return Result.fail(ErrorCode.AEAD_FAILED, "GCM authentication failed");
        }
        s.window().commit(counter);
        Result<Packet> packet = PacketCodec.decodeTaking(plain, checksumChecked); // plain is ours alone: the payload stays in it
        if (!packet.isOk()) {
            return packet;
        }
        if (packet.value().src().node() != frame.senderNode()) {
            return Result.fail(ErrorCode.SPOOFED_SOURCE, "inner source node differs from the PILS sender");
        }
        return packet;
    }
}
