package pilot.core.edge;

import java.util.ArrayList;
import java.util.List;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.wire.Bytes;

/**
 * A batch of relay messages in one WebSocket message, {@code 0x00 ‖ (length(2, big-endian) ‖ message)+}: what
 * the relay sends a Worker that asked for batches, the datagrams one pass of its UDP loop read for it, in
 * order, so the Worker steps once per batch instead of once per datagram. A single {@link RelayMessage} never
 * starts with 0 (its ipLen is 4 or 16), so the first byte tells the two apart.
 *
 * <p>A batch is taken whole or not at all: a record that runs past the end, trailing bytes, a zero-length
 * record, no record, or more than {@link #MAX_BYTES} fail the whole batch with a typed error (the relay never
 * sends one, so it is a broken relay, and the messages inside are datagrams: dropping them costs a
 * retransmission, never state). Each message inside is still the caller's to check ({@link RelayMessage#decode}).
 * Bounded by {@link #MAX_BYTES}: at most (MAX_BYTES - 1) / 3 records, each at least one byte.
 */
public final class RelayBatch {
    /** First byte of a batch. */
    public static final int MARK = 0;
    /** Largest batch, all bytes counted: 64 KiB, what one Worker event then carries at most. */
    public static final int MAX_BYTES = 64 * 1024;
    /** Bytes in front of each message (its length). */
    public static final int RECORD_HEADER = 2;
    /** Longest message a record holds (its length is 16 bits). */
    public static final int MAX_RECORD = 0xFFFF;

    /** Where each message starts in the batch, and its length (at least 1). */
    private final int[] offsets;
    private final int[] lengths;

    private RelayBatch(int[] offsets, int[] lengths) {
        this.offsets = offsets;
        this.lengths = lengths;
    }

    /** Messages in the batch. */
    public int count() {
        return offsets.length;
    }

    /** Whether {@code msg} is a batch rather than a single relay message (its first byte is {@link #MARK}). */
    public static boolean isBatch(byte[] msg) {
        return msg != null && msg.length > 0 && msg[0] == MARK;
    }

    /** Bytes a batch of messages of these lengths takes. */
    public static int size(List<byte[]> messages) {
        int n = 1;
        for (byte[] m : messages) {
            n += RECORD_HEADER + m.length;
        }
        return n;
    }

    /**
     * Whether a message of {@code length} bytes may join a batch that takes {@code batchBytes} now (1 for an empty
     * one): it is not empty, its length fits a record, and the batch stays within {@link #MAX_BYTES}.
     */
    public static boolean fits(int batchBytes, int length) {
        return length > 0 && length <= MAX_RECORD && batchBytes + RECORD_HEADER + length <= MAX_BYTES;
    }

    /**
     * The batch of {@code messages}, in order: {@code BAD_LENGTH} when there are none, one is empty or longer
     * than {@link #MAX_RECORD}, or all together take more than {@link #MAX_BYTES}.
     */
    public static Result<byte[]> encode(List<byte[]> messages) {
        if (messages == null || messages.isEmpty()) {
            return Result.fail(ErrorCode.BAD_LENGTH, "a batch holds at least one message");
        }
        int bytes = 1;
        for (byte[] m : messages) {
            if (m == null || !fits(bytes, m.length)) {
                return Result.fail(ErrorCode.BAD_LENGTH, m == null || m.length == 0 || m.length > MAX_RECORD
                        ? "a message of " + (m == null ? 0 : m.length) + " bytes cannot be a record"
                        : "more than " + MAX_BYTES + " bytes");
            }
            bytes += RECORD_HEADER + m.length;
        }
        byte[] out = new byte[bytes];
        out[0] = MARK;
        int at = 1;
        for (byte[] m : messages) {
            Bytes.put16(out, at, m.length);
            System.arraycopy(m, 0, out, at + RECORD_HEADER, m.length);
            at += RECORD_HEADER + m.length;
        }
        return Result.ok(out);
    }

    /**
     * Where the messages of {@code batch} are: {@code BAD_MAGIC} (not a batch: empty, or its first byte is not
     * {@link #MARK}), {@code BAD_LENGTH} (longer than {@link #MAX_BYTES}, or a zero-length record),
     * {@code TRUNCATED} (no record, a length cut, or a record that runs past the end).
     */
    public static Result<RelayBatch> split(byte[] batch) {
        if (!isBatch(batch)) {
            return Result.fail(ErrorCode.BAD_MAGIC, "not a batch: its first byte is not 0");
        }
        if (batch.length > MAX_BYTES) {
            return Result.fail(ErrorCode.BAD_LENGTH, batch.length + " bytes, more than " + MAX_BYTES);
        }
        if (batch.length == 1) {
            return Result.fail(ErrorCode.TRUNCATED, "a batch without a message");
        }
        List<int[]> found = new ArrayList<>();
        int at = 1;
        while (at < batch.length) {
            if (at + RECORD_HEADER > batch.length) {
                return Result.fail(ErrorCode.TRUNCATED, "a record length cut at byte " + at);
            }
            int len = Bytes.u16(batch, at);
            if (len == 0) {
                return Result.fail(ErrorCode.BAD_LENGTH, "a zero-length record at byte " + at);
            }
            if (at + RECORD_HEADER + len > batch.length) {
                return Result.fail(ErrorCode.TRUNCATED, "a record of " + len + " bytes at byte " + at + " runs past the end");
            }
            found.add(new int[] {at + RECORD_HEADER, len});
            at += RECORD_HEADER + len;
        }
        int[] offsets = new int[found.size()];
        int[] lengths = new int[found.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = found.get(i)[0];
            lengths[i] = found.get(i)[1];
        }
        return Result.ok(new RelayBatch(offsets, lengths));
    }

    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** A copy of message {@code i} of the {@code batch} this was split from. */
    public byte[] message(byte[] batch, int i) {
        return pilot.core.wire.Bytes.slice(batch, offsets[i], lengths[i]); // arraycopy: one array.copy in wasm, not a byte loop
    }
}
