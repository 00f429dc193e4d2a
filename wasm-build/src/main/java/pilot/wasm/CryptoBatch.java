package pilot.wasm;

import pilot.core.node.CryptoRequest;
import pilot.core.node.PilotNode;
import pilot.core.wire.Bytes;

/**
 * The AEAD as an effect across the boundary (docs/ARCHITECTURE.md "Built: AEAD as an effect"): a node's
 * crypto requests go out as one batch and the host's answers come back as one, so a burst of packets costs
 * two crossings and one {@code Promise.all} of WebCrypto calls. Written straight into {@link Io}'s region
 * (no intermediate array). Big-endian.
 *
 * <p>Requests: {@code kind(1) ‖ id(4) ‖ keyId(4) ‖ len(4) ‖ nonce(12) ‖ aadLen(1) ‖ aad ‖ data(len)}, where
 * {@link #KEY_INSTALL} carries the 32-byte key as data and no nonce or AAD, {@link #KEY_DROP} nothing after
 * {@code len} (0), {@link #SEAL} the packet and {@link #OPEN} ciphertext ‖ tag. Answers:
 * {@code id(4) ‖ len(4) ‖ data(len)}, {@code len} {@link #FAILED} when the tag did not verify or the host failed.
 * A node that deferred its checksums too asks {@link #SEAL_CHECKSUM} and {@link #OPEN_CHECKSUM} instead of
 * {@link #SEAL} and {@link #OPEN}; an open's answer then has {@link #CHECKED} set in its length when the
 * plaintext's checksum matched (without it the node checks the checksum itself).
 */
final class CryptoBatch {
    static final int KEY_INSTALL = 1;
    static final int KEY_DROP = 2;
    static final int SEAL = 3;
    static final int OPEN = 4;
    /** A seal whose packet has its checksum field zero: the host writes the CRC-32 there first (PacketCodec.fillChecksum). */
    static final int SEAL_CHECKSUM = 5;
    /** An open whose plaintext's checksum the host checks: {@link #CHECKED} in the answer's length when it matched. */
    static final int OPEN_CHECKSUM = 6;
    /** An answer's length for "no output". */
    static final int FAILED = -1;
    /** Set in an open answer's length: the plaintext's checksum matched (PacketCodec.checksumMatches). */
    static final int CHECKED = 0x40000000;
    private static final int HEAD = 13;
    private static final int NONCE = 12;

    private CryptoBatch() {
    }

    /**
     * Every request the node has, up to {@link Layouts#POLL_BATCH_BYTES} (at least one; the one that did not
     * fit is kept in {@code carry[0]} for the next poll), into the region; its length, or -1 when there is none.
     */
    static int poll(PilotNode node, CryptoRequest[] carry) {
        CryptoRequest[] batch = new CryptoRequest[16];
        int count = 0;
        int size = 0;
        for (CryptoRequest r = carry[0] != null ? carry[0] : node.pollCrypto(); r != null; r = node.pollCrypto()) {
            carry[0] = null;
            int n = size(r);
            if (count > 0 && size + n > Layouts.POLL_BATCH_BYTES) {
                carry[0] = r;
                break;
            }
            if (count == batch.length) {
                CryptoRequest[] more = new CryptoRequest[count * 2];
                System.arraycopy(batch, 0, more, 0, count);
                batch = more;
            }
            batch[count++] = r;
            size += n;
        }
        if (count == 0 || Io.ensure(size) < 0) {
            return -1;
        }
        byte[] head = new byte[HEAD + NONCE + 1];
        boolean checksums = node.checksumDeferred();
        int at = 0;
        for (int i = 0; i < count; i++) {
            at = write(batch[i], head, at, checksums);
        }
        return size;
    }

    /**
     * Hands the node the answers of the {@code len} bytes in the region; the number handed, or -1 when malformed
     * (then none is handed). All are copied out before the first is handed: the core may use the region.
     */
    static int done(PilotNode node, int len, long now) {
        int[] ids = new int[16];
        byte[][] outs = new byte[16][];
        boolean[] checks = new boolean[16];
        int n = 0;
        if (!Io.holds(len)) {
            return -1; // more answers than the region holds: JavaScript could not have put them there
        }
        for (int at = 0; at < len; n++) {
            if (at + 8 > len) {
                return -1;
            }
            int size = Io.i32(at + 4); // the head read in place: no array per answer
            int id = Io.i32(at);
            boolean checked = size != FAILED && (size & CHECKED) != 0;
            size = size == FAILED ? FAILED : size & ~CHECKED;
            if (size != FAILED && (size < 0 || size > len - at - 8)) {
                return -1; // checked before anything is allocated for it
            }
            byte[] out = size == FAILED ? null : Io.in(at + 8, size);
            if (size != FAILED && out == null) {
                return -1;
            }
            if (n == ids.length) {
                int[] moreIds = new int[n * 2];
                byte[][] moreOuts = new byte[n * 2][];
                boolean[] moreChecks = new boolean[n * 2];
                System.arraycopy(ids, 0, moreIds, 0, n);
                System.arraycopy(outs, 0, moreOuts, 0, n);
                System.arraycopy(checks, 0, moreChecks, 0, n);
                ids = moreIds;
                outs = moreOuts;
                checks = moreChecks;
            }
            ids[n] = id;
            outs[n] = out;
            checks[n] = checked;
            at += 8 + (out == null ? 0 : size);
        }
        for (int i = 0; i < n; i++) {
            node.cryptoDone(ids[i], outs[i], checks[i], now);
        }
        return n;
    }

    private static int size(CryptoRequest r) {
        if (r instanceof CryptoRequest.Cipher c) {
            return HEAD + NONCE + 1 + c.aad().length + c.data().length;
        }
        return r instanceof CryptoRequest.KeyInstall k ? HEAD + k.key().length : HEAD;
    }

    private static int write(CryptoRequest r, byte[] head, int at, boolean checksums) {
        if (r instanceof CryptoRequest.KeyInstall k) {
            at = head(head, at, KEY_INSTALL, 0, k.keyId(), k.key().length, 0);
            Io.write(at, k.key(), 0, k.key().length);
            return at + k.key().length;
        }
        if (!(r instanceof CryptoRequest.Cipher c)) {
            return head(head, at, KEY_DROP, 0, ((CryptoRequest.KeyDrop) r).keyId(), 0, 0);
        }
        byte[] aad = c.aad();
        byte[] data = c.data();
        System.arraycopy(c.nonce(), 0, head, HEAD, NONCE);
        head[HEAD + NONCE] = (byte) aad.length;
        int kind = c instanceof CryptoRequest.Seal ? SEAL : OPEN;
        at = head(head, at, checksums ? kind + (SEAL_CHECKSUM - SEAL) : kind, c.id(), c.keyId(), data.length, NONCE + 1);
        Io.write(at, aad, 0, aad.length);
        at += aad.length;
        Io.write(at, data, 0, data.length);
        return at + data.length;
    }

    /** Writes the fixed head (and {@code extra} bytes of nonce ‖ aadLen already in {@code head}); where the rest goes. */
    private static int head(byte[] head, int at, int kind, int id, int keyId, int len, int extra) {
        head[0] = (byte) kind;
        Bytes.put32(head, 1, id);
        Bytes.put32(head, 5, keyId);
        Bytes.put32(head, 9, len);
        Io.write(at, head, 0, HEAD + extra);
        return at + HEAD + extra;
    }
}
