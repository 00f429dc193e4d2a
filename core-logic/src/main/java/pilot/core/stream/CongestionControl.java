package pilot.core.stream;

/**
 * How many bytes a stream may have in flight, and how acknowledgements and losses change that. An
 * implementation owns its recovery state; the loss-recovery flavour it implements decides which segments
 * of the {@link SendQueue} are marked lost (they are retransmitted by the next pump).
 */
interface CongestionControl {
    /** Congestion window in bytes (the peer's receive window is applied by the caller). */
    int windowBytes();

    /** Current recovery episode: a segment retransmitted in this episode is not declared lost again. */
    int episode();

    /** A pure ACK repeated the cumulative ACK while data is outstanding. */
    void onDuplicateAck(SendQueue queue);

    /** The cumulative ACK advanced to {@code ack}, acknowledging {@code ackedBytes} more bytes. */
    void onNewAck(int ack, int ackedBytes, SendQueue queue);

    /** The retransmission timer fired with data outstanding up to {@code sendNext}. */
    void onRetransmissionTimeout(int sendNext);
}
