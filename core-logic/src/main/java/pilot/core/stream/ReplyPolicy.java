package pilot.core.stream;

/**
 * When a request/reply exchange on a stream has ended (see {@link CloseMode#AFTER_REPLY}), and how far
 * the request may run ahead of an echoed reply. A peer that closes before an expected reply is complete
 * fails the stream with {@link pilot.core.ErrorCode#REPLY_INCOMPLETE}, never a clean short end.
 *
 * @param expectBytes   reply length that ends the exchange; {@link #ECHO}: as many bytes as we wrote;
 *                      {@link #UNKNOWN}: the reply ends when the peer closes or falls quiet
 * @param maxAheadBytes echo only: written but not yet echoed bytes allowed, further capped by the peer's
 *                      advertised window. A reference daemon's loop blocks while a stream's receive queue
 *                      is full, stalling the ACKs its own echo writer waits for, so flooding it fails
 * @param quietMillis   for a reply of {@link #UNKNOWN} length: with our data all acknowledged, no reply
 *                      byte for this long ends it (0: only the peer's FIN does)
 */
public record ReplyPolicy(long expectBytes, int maxAheadBytes, long quietMillis) {
    public static final long ECHO = -2;
    public static final long UNKNOWN = -1;
    /** Default lead of an echo request over its reply: what `pilot-host send ADDR 7` always used. */
    public static final int DEFAULT_ECHO_AHEAD = 64 * 1024;

    public ReplyPolicy {
        if (expectBytes < ECHO || maxAheadBytes < 0 || quietMillis < 0) {
            throw new IllegalArgumentException("invalid reply policy");
        }
    }

    /** An echo service (port 7): the reply is every byte we wrote. */
    public static ReplyPolicy echo() {
        return new ReplyPolicy(ECHO, DEFAULT_ECHO_AHEAD, 0);
    }

    boolean isEcho() {
        return expectBytes == ECHO;
    }
}
