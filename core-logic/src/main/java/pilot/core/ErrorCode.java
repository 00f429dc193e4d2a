package pilot.core;

/**
 * Every way the core can refuse an input. Codes are stable: the wasm facade and the TypeScript shim
 * switch on {@link #code()}, so never renumber an entry; append new ones.
 */
public enum ErrorCode {
    /** Fewer bytes than the layout requires. */
    TRUNCATED(1),
    /** A length field disagrees with the bytes present, or a value exceeds its wire range. */
    BAD_LENGTH(2),
    /** Packet CRC-32 mismatch (spec B.2). */
    BAD_CHECKSUM(3),
    /** Packet header version nibble is not 1 (spec B.3, modern rule). */
    BAD_VERSION(4),
    /** Unknown or unsupported tunnel frame magic (spec C). */
    BAD_MAGIC(5),
    /** Address or socket-address text does not parse (spec A.1). */
    BAD_ADDRESS(6),
    /** No session key state for the sender of a sealed frame (spec E.2 step 3). */
    NO_SESSION(7),
    /** Counter already seen inside the replay window (spec F.2 step 4). */
    REPLAY(8),
    /** Counter 256 or more behind the highest accepted one (spec F.2 step 3). */
    TOO_OLD(9),
    /** AES-GCM authentication failed: wrong key, wrong AAD or tampering (spec E.2 step 5). */
    AEAD_FAILED(10),
    /** Inner packet source node differs from the PILS sender id (spec E.2 step 7). */
    SPOOFED_SOURCE(11),
    /** The trust source has no Ed25519 key for the claimed node (spec D.2 step 4). */
    UNKNOWN_IDENTITY(12),
    /** The frame's Ed25519 key differs from the trusted one, or the frame claims our own id (spec D.2 step 5). */
    IDENTITY_MISMATCH(13),
    /** Ed25519 signature over the PILA challenge does not verify (spec D.2 step 6). */
    BAD_SIGNATURE(14),
    /** X25519 produced the all-zero shared secret (low-order peer key, spec D.5). */
    WEAK_KEY(15),
    /** Key-exchange rate limit for the source exceeded (spec D.2 step 2). */
    RATE_LIMITED(16),
    /** A bounded table is full and nothing could be evicted. */
    TABLE_FULL(17),
    /** A PILA carried an X25519 key this peer already replaced: a replayed old frame. */
    STALE_KEY(18),
    /** The caller passed an argument outside its documented range. */
    INVALID_ARGUMENT(19),
    /** The operation is not allowed in the current state (e.g. writing to a closed stream). */
    INVALID_STATE(20),
    /** A frame kind this profile refuses (e.g. plaintext PILT while encryption is on), or a stream refused by RST. */
    REFUSED(21),
    /** The peer reset the stream (RST, spec G.7). */
    STREAM_RESET(22),
    /** No answer in time: dial timeout, retransmissions exhausted, idle timeout, or ping timeout. */
    TIMED_OUT(23),
    /** The local application aborted the stream. */
    ABORTED(24),
    /** No endpoint or trusted key could be found for the peer, or its handshake never completed. */
    PEER_UNREACHABLE(25),
    /** A bound (streams, queue, buffer) was reached; the request was refused rather than grow memory. */
    LIMIT_REACHED(26),
    /** The peer closed a request/reply stream before the expected reply was complete. */
    REPLY_INCOMPLETE(27);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The stable numeric code that crosses the wasm boundary. */
    public int code() {
        return code;
    }

    /** The entry for a numeric code, or {@code null} when none has it. */
    public static ErrorCode ofCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
