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
     * Opens a sealed frame (spec E.2 steps 4-7): replay check, AES-GCM open, packet decode, inner-source
     * check. The counter is recorded in the window only after the frame authenticated (spec F.4).
     */
    public static Result<Packet> open(Session s, SealedFrame frame) {
        long counter = frame.counter();
        ErrorCode verdict = s.window().check(counter);
        if (verdict != null) {
            return Result.fail(verdict, "counter " + Long.toUnsignedString(counter));
        }
        byte[] aad = s.profile().aad(frame.senderNode());
        byte[] plain = frame.read((nonce, ct) -> s.aead().open(nonce, aad, ct, 0, ct.length));
        if (plain == null) {
            return Result.fail(ErrorCode.AEAD_FAILED, "GCM authentication failed");
        }
        s.window().commit(counter);
        Result<Packet> packet = PacketCodec.decodeTaking(plain); // plain is ours alone: the payload stays in it
        if (!packet.isOk()) {
            return packet;
        }
        if (packet.value().src().node() != frame.senderNode()) {
            return Result.fail(ErrorCode.SPOOFED_SOURCE, "inner source node differs from the PILS sender");
        }
        return packet;
    }
}
