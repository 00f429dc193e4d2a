package pilot.core.stream;

/** Stream states (spec G.1) plus the half-close states the reference names but never enters. */
public enum StreamState {
    /** We sent SYN and wait for SYN|ACK. */
    SYN_SENT,
    /** Both directions open. */
    ESTABLISHED,
    /** We sent our FIN; we still receive until the peer's FIN. */
    FIN_WAIT,
    /** The peer sent its FIN; we may still send until the application closes. */
    CLOSE_WAIT,
    /** Both FINs seen; waiting for our FIN to be acknowledged. */
    LAST_ACK,
    /** Both directions finished; lingering to answer retransmitted FINs (spec G.6). */
    TIME_WAIT,
    /** Gone: finished, reset, timed out or aborted. */
    CLOSED
}
