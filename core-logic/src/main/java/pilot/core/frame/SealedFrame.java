package pilot.core.frame;

import java.util.Arrays;
import pilot.core.wire.Bytes;

/**
 * {@code PILS ‖ sender node (4) ‖ nonce (12) ‖ ciphertext ‖ tag (16)} (spec C, E). The sender is the
 * node that sealed the frame. Immutable: arrays are copied in and out. A final class rather than a record
 * so that {@link FrameCodec} can hand over the arrays it just sliced from a datagram without a second copy
 * (every received packet passes here).
 */
public final class SealedFrame implements TunnelFrame {
    public static final int NONCE_SIZE = 12;
    public static final int TAG_SIZE = 16;
    /** Bytes after the magic that every PILS must have: sender, nonce, tag (spec C minimum). */
    public static final int MIN_BODY = 4 + NONCE_SIZE + TAG_SIZE;
    public static final int OVERHEAD = Magic.SIZE + 4 + NONCE_SIZE;

    private final int senderNode;
    private final byte[] nonce;
    private final byte[] ciphertext;

    public SealedFrame(int senderNode, byte[] nonce, byte[] ciphertext) {
        this(senderNode, check(nonce, ciphertext).clone(), ciphertext.clone(), true);
    }

    /** Takes the arrays as they are: only for arrays nobody else holds (the codec's fresh slices). */
    private SealedFrame(int senderNode, byte[] nonce, byte[] ciphertext, boolean owned) {
        this.senderNode = senderNode;
        this.nonce = nonce;
        this.ciphertext = ciphertext;
    }

    /** A frame over freshly sliced arrays that nothing else references (FrameCodec). */
    static SealedFrame owning(int senderNode, byte[] nonce, byte[] ciphertext) {
        return new SealedFrame(senderNode, check(nonce, ciphertext), ciphertext, true);
    }

    /**
     * A frame whose ciphertext ‖ tag its receiving host keeps (a Worker's WebCrypto opens its own copy):
     * {@code placeholders} stand in for them, of their length, and are taken as they are; the node never writes
     * them, so one array may stand in for many frames ({@link #withCiphertext} when the bytes come).
     */
    static SealedFrame held(int senderNode, byte[] nonce, byte[] placeholders) {
        return new SealedFrame(senderNode, check(nonce, placeholders), placeholders, true);
    }

    /** This frame with {@code ciphertextAndTag} in place of its ciphertext ‖ tag, taken as it is (nothing else may hold it). */
    public SealedFrame withCiphertext(byte[] ciphertextAndTag) {
        return new SealedFrame(senderNode, check(nonce, ciphertextAndTag), ciphertextAndTag, true);
    }

    private static byte[] check(byte[] nonce, byte[] ciphertext) {
        if (nonce == null || nonce.length != NONCE_SIZE || ciphertext == null || ciphertext.length < TAG_SIZE) {
            throw new IllegalArgumentException("nonce must be 12 bytes and ciphertext at least the 16-byte tag");
        }
        return nonce;
    }

    public int senderNode() {
        return senderNode;
    }

    /** The 64-bit counter in the last 8 nonce bytes (unsigned). */
    public long counter() {
        return Bytes.i64(nonce, 4);
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    /** Ciphertext followed by the 16-byte GCM tag. */
    public byte[] ciphertext() {
        return ciphertext.clone();
    }

    /** Reads the nonce and the ciphertext ‖ tag in place; must not modify or keep them. */
    public interface Reader<T> {
        T read(byte[] nonce, byte[] ciphertextAndTag);
    }

    /**
     * Hands the frame's own nonce and ciphertext to {@code reader} without copying them (the envelope
     * opens straight from them: one 1,200-byte copy less per packet). The reader only reads, so the frame
     * stays immutable.
     */
    public <T> T read(Reader<T> reader) {
        return reader.read(nonce, ciphertext);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.SEALED;
    }

    @Override
    public byte[] encode() {
        byte[] out = new byte[OVERHEAD + ciphertext.length];
        Bytes.put32(out, 0, Magic.PILS);
        Bytes.put32(out, 4, senderNode);
        System.arraycopy(nonce, 0, out, 8, NONCE_SIZE);
        System.arraycopy(ciphertext, 0, out, OVERHEAD, ciphertext.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedFrame f && f.senderNode == senderNode && Arrays.equals(f.nonce, nonce)
                && Arrays.equals(f.ciphertext, ciphertext);
    }

    @Override
    public int hashCode() {
        return senderNode * 31 + Arrays.hashCode(nonce) * 17 + Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "SealedFrame[sender=" + Integer.toUnsignedString(senderNode) + " counter="
                + Long.toUnsignedString(counter()) + " len=" + ciphertext.length + "]";
    }
}
