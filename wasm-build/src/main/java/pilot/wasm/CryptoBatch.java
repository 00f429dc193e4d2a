package pilot.wasm;

import pilot.core.frame.SealedFrame;
import pilot.core.node.CryptoRequest;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
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
 *
 * <p>Bytes that stay in JavaScript (issue 15, the Worker's seal + open): a request's kind with {@link #HOLD} set
 * is a seal whose ciphertext the wrapper may keep ({@link HeldSeals}: answered {@link #HELD} with no data, the
 * frame then leaves {@code nodePollTransmits} as its header and the seal's id, {@link #HELD_RECORD}, and the
 * wrapper appends the ciphertext it kept), or an open of a frame the wrapper kept (the datagram crossed in as its
 * header only: {@code PilotNode.handleDatagram} with a host reference), which carries the wrapper's reference (4
 * bytes) in place of its data; its answer is the plaintext, or on failure the frame's ciphertext ‖ tag with
 * {@link #REFILL} set in the length ({@code PilotNode.cryptoRestore}: an open the node asks again carries them). The core decides order, counters and the replay window
 * exactly as before: only where the bytes live changes, never which bytes go on the wire.
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
    /** Flag on a request's kind: a seal whose answer may be {@link #HELD}, or an open that names a kept frame. */
    static final int HOLD = 0x80;
    /**
     * Flag on a seal's kind: the datagram's payload is the wrapper's ({@code CryptoRequest.Seal#hostRef}, round ten):
     * the data is the packet's header ({@code PacketCodec.HEADER_SIZE} bytes) and the wrapper's reference (4 bytes),
     * the length the whole packet's.
     */
    static final int HOST_PAYLOAD = 0x40;
    /** An answer's length for "the wrapper keeps the ciphertext" (only for a seal flagged {@link #HOLD}). */
    static final int HELD = -2;
    /** Set in the length of a failed answer to a held open: the bytes are the frame's ciphertext ‖ tag ({@code PilotNode.cryptoRestore}). */
    static final int REFILL = 0x20000000;
    /**
     * Set with {@link #CHECKED} in the length of an open's answer whose plaintext is a datagram the wrapper keeps
     * ({@link HeldPayloads}): the data is {@code plainLen(4) ‖ header(34)} only; the node decodes zeros in the
     * payload's place and the datagram event leaves as the answer's id. Refused (the batch is malformed) unless
     * the header is a datagram's whose payload length is {@code plainLen - 34}, and beyond {@link HeldPayloads#MAX}.
     */
    static final int PAYLOAD = 0x10000000;
    private static final int PAYLOAD_DATA = 4 + pilot.core.wire.PacketCodec.HEADER_SIZE;
    /** Set in a transmit record's length: the record ends with the frame's header and a held seal's id. */
    static final int HELD_RECORD = 0x80000000;
    private static final int HEAD = 13;
    private static final int NONCE = 12;

    private CryptoBatch() {
    }

    /**
     * Every request the node has, up to {@link Layouts#POLL_BATCH_BYTES} (at least one; the one that did not
     * fit is kept in {@code carry[0]} for the next poll), into the region; its length, or -1 when there is none.
     */
    static int poll(PilotNode node, CryptoRequest[] carry, HeldSeals seals) {
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
            CryptoRequest r = batch[i];
            boolean hold = r instanceof CryptoRequest.Seal s ? seals.add(s.id(), s.frame())
                    : r instanceof CryptoRequest.Open o && o.hostRef() != 0;
            at = write(r, head, at, checksums, hold);
        }
        return size;
    }

    /**
     * Hands the node the answers of the {@code len} bytes in the region; the number handed, or -1 when malformed
     * (then none is handed). All are copied out before the first is handed: the core may use the region.
     */
    static int done(PilotNode node, int len, long now, HeldSeals seals, HeldPayloads payloads) {
        int[] ids = new int[16];
        byte[][] outs = new byte[16][];
        int[] flags = new int[16]; // CHECKED, REFILL, PAYLOAD, or HELD (-2) for "kept by the wrapper"
        int n = 0;
        int heldPayloads = 0;
        if (!Io.holds(len)) {
            return -1; // more answers than the region holds: JavaScript could not have put them there
        }
        for (int at = 0; at < len; n++) {
            if (at + 8 > len) {
                return -1;
            }
            int size = Io.i32(at + 4); // the head read in place: no array per answer
            int id = Io.i32(at);
            boolean none = size == FAILED || size == HELD;
            int flag = size == HELD ? HELD : none ? 0 : size & (CHECKED | REFILL | PAYLOAD);
            size = none ? size : size & ~(CHECKED | REFILL | PAYLOAD);
            if (!none && (size < 0 || size > len - at - 8)) {
                return -1; // checked before anything is allocated for it
            }
            byte[] out = none ? null : (flag & PAYLOAD) != 0 ? heldPlain(size, at + 8, flag, id) : Io.in(at + 8, size);
            heldPayloads += !none && (flag & PAYLOAD) != 0 ? 1 : 0;
            if (!none && out == null) {
                return -1;
            }
            if (n == ids.length) {
                int[] moreIds = new int[n * 2];
                byte[][] moreOuts = new byte[n * 2][];
                int[] moreFlags = new int[n * 2];
                System.arraycopy(ids, 0, moreIds, 0, n);
                System.arraycopy(outs, 0, moreOuts, 0, n);
                System.arraycopy(flags, 0, moreFlags, 0, n);
                ids = moreIds;
                outs = moreOuts;
                flags = moreFlags;
            }
            ids[n] = id;
            outs[n] = out;
            flags[n] = flag;
            at += 8 + (none ? 0 : size);
        }
        if (heldPayloads > payloads.free()) {
            return -1; // the wrapper keeps as many as the table: more cannot be its own
        }
        int untagged = 0;
        // only now, with the whole batch well-formed, does anything change
        for (int i = 0; i < n; i++) {
            int flag = flags[i];
            byte[] out = outs[i];
            // nothing is kept for a seal answered otherwise than HELD (a repeated answer leaves a kept one as it is)
            byte[] frame = seals.size() == 0 ? null : seals.answer(ids[i], flag == HELD);
            if (flag == HELD) {
                // the frame is complete but for the ciphertext the wrapper keeps: zeros stand in for it here
                out = frame == null ? null : seals.blank.of(frame.length - SealedFrame.OVERHEAD);
            } else if ((flag & REFILL) != 0) {
                // a held open failed: its bytes go into the placeholders before the node hears of it (rare)
                node.cryptoRestore(ids[i], out);
                out = null;
            }
            int before = (flag & PAYLOAD) != 0 ? node.eventsQueued() : -1;
            node.cryptoDone(ids[i], out, flag != HELD && (flag & CHECKED) != 0, now);
            if (before >= 0) {
                // the one datagram event this answer's packet queued (if any) carries the wrapper's bytes, not these zeros
                pilot.core.node.NodeEvent.Datagram d = node.datagramEventSince(before);
                if (d == null || !payloads.add(d, ids[i])) {
                    Io.put32(4 + 4 * untagged++, ids[i]); // no event: the wrapper lets the plaintext go
                }
            }
        }
        if (heldPayloads > 0) {
            Io.put32(0, untagged); // the region's answers were all copied out above
        }
        return n;
    }

    /**
     * The plaintext of a {@link #PAYLOAD} answer of {@code size} bytes at {@code at}: its header, zeros where the
     * payload the wrapper keeps goes; null (malformed) unless it is a checked datagram of exactly that length.
     */
    private static byte[] heldPlain(int size, int at, int flag, int id) {
        int header = pilot.core.wire.PacketCodec.HEADER_SIZE;
        if (size != PAYLOAD_DATA || (flag & CHECKED) == 0 || id == 0) {
            return null;
        }
        int plainLen = Io.i32(at);
        int payloadLen = Io.i32(at + 4) & 0xFFFF; // header bytes 2-3
        if (((Io.i32(at + 4) >>> 16) & 0xFF) != pilot.core.wire.Packet.PROTO_DATAGRAM || payloadLen == 0
                || plainLen != header + payloadLen) {
            return null;
        }
        byte[] plain = new byte[plainLen];
        System.arraycopy(Io.in(at + 4, header), 0, plain, 0, header);
        return plain;
    }

    private static int size(CryptoRequest r) {
        if (r instanceof CryptoRequest.Cipher c) {
            return HEAD + NONCE + 1 + c.aad().length + (c.hostRef() != 0 ? kept(c) + 4 : c.data().length);
        }
        return r instanceof CryptoRequest.KeyInstall k ? HEAD + k.key().length : HEAD;
    }

    private static int write(CryptoRequest r, byte[] head, int at, boolean checksums, boolean hold) {
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
        boolean seal = c instanceof CryptoRequest.Seal;
        int kind = (seal ? SEAL : OPEN) + (checksums ? SEAL_CHECKSUM - SEAL : 0);
        kind = seal && c.hostRef() != 0 ? kind | HOST_PAYLOAD : kind;
        at = head(head, at, hold ? kind | HOLD : kind, c.id(), c.keyId(), data.length, NONCE + 1);
        Io.write(at, aad, 0, aad.length);
        at += aad.length;
        if (c.hostRef() != 0) {
            // the bytes are the wrapper's: a seal's packet header the node made, then the wrapper's reference
            int n = kept(c);
            Io.write(at, data, 0, n);
            Io.put32(at + n, c.hostRef());
            return at + n + 4;
        }
        Io.write(at, data, 0, data.length);
        return at + data.length;
    }

    /** The bytes of a request with a host reference that cross besides it: a seal's packet header, none of an open. */
    private static int kept(CryptoRequest.Cipher c) {
        return c instanceof CryptoRequest.Seal ? pilot.core.wire.PacketCodec.HEADER_SIZE : 0;
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

    /** The bytes {@link #transmit} writes for {@code t}'s record body: shorter when its ciphertext is held. */
    static int transmitSize(Transmit t, boolean held) {
        return held ? Layouts.transmitSize(t) - t.datagram().length + SealedFrame.OVERHEAD + 4 : Layouts.transmitSize(t);
    }

    /**
     * A transmit record at {@code at} of the region (length prefix included): {@code ipLen ‖ ip ‖ port ‖ datagram},
     * or, for a frame whose ciphertext the wrapper holds under seal {@code heldId} (not 0), {@code ipLen ‖ ip ‖ port ‖
     * header (OVERHEAD) ‖ heldId(4)}, its length flagged {@link #HELD_RECORD} (the wrapper sends the part before the
     * id followed by the ciphertext). {@code head}: scratch of {@code RECORD_PREFIX + TRANSMIT_HEAD_MAX}. Where the next goes.
     */
    static int transmit(Transmit t, int heldId, byte[] head, int at) {
        int h = Layouts.transmitHead(t, head, Layouts.RECORD_PREFIX);
        int frame = heldId == 0 ? t.datagram().length : SealedFrame.OVERHEAD;
        int body = h + frame + (heldId == 0 ? 0 : 4);
        Bytes.put32(head, 0, heldId == 0 ? body : body | HELD_RECORD);
        Io.write(at, head, 0, Layouts.RECORD_PREFIX + h);
        Io.write(at + Layouts.RECORD_PREFIX + h, t.datagram(), 0, frame);
        if (heldId != 0) {
            Io.put32(at + Layouts.RECORD_PREFIX + h + frame, heldId);
        }
        return at + Layouts.RECORD_PREFIX + body;
    }
}
