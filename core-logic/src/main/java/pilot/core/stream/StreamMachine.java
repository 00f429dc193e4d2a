package pilot.core.stream;

/**
 * The stream's state (spec G.1, G.3, G.6) as data: one transition table, keyed by state and input, and
 * one entry-action hook that runs on every transition (after h11's transition tables). A pair missing
 * from the table leaves the state as it is, so an input that means nothing in a state is ignored.
 * This class decides only "which state next"; what happens on entering a state is
 * {@link EntryActions#enter}.
 */
final class StreamMachine {
    /** What happened to the stream. */
    enum Input {
        /** Our SYN was answered with SYN|ACK. */
        SYN_ACKED,
        /** Our FIN was queued behind all our data. */
        FIN_SENT,
        /** The peer's FIN was consumed (every byte before it arrived). */
        PEER_FIN,
        /** Our FIN was acknowledged. */
        FIN_ACKED,
        /** Reset, aborted, timed out, or TIME_WAIT ended. */
        TERMINATE
    }

    /** Runs once per transition, after the state changed. */
    interface EntryActions {
        void enter(StreamState from, StreamState to, long now);
    }

    private static final StreamState[][] TABLE = new StreamState[StreamState.values().length][Input.values().length];

    private static void on(StreamState from, Input in, StreamState to) {
        TABLE[from.ordinal()][in.ordinal()] = to;
    }

    static {
        on(StreamState.SYN_SENT, Input.SYN_ACKED, StreamState.ESTABLISHED);
        on(StreamState.ESTABLISHED, Input.FIN_SENT, StreamState.FIN_WAIT);
        on(StreamState.CLOSE_WAIT, Input.FIN_SENT, StreamState.LAST_ACK);
        on(StreamState.ESTABLISHED, Input.PEER_FIN, StreamState.CLOSE_WAIT);
        on(StreamState.FIN_WAIT, Input.PEER_FIN, StreamState.LAST_ACK);
        on(StreamState.LAST_ACK, Input.FIN_ACKED, StreamState.TIME_WAIT);
        for (StreamState s : StreamState.values()) {
            if (s != StreamState.CLOSED) {
                on(s, Input.TERMINATE, StreamState.CLOSED);
            }
        }
    }

    private final EntryActions actions;
    private StreamState state;

    StreamMachine(StreamState initial, EntryActions actions) {
        this.state = initial;
        this.actions = actions;
    }

    StreamState state() {
        return state;
    }

    /** The state {@code in} leads to from {@code from}, or null when the table has no such transition. */
    static StreamState next(StreamState from, Input in) {
        return TABLE[from.ordinal()][in.ordinal()];
    }

    /** Applies {@code in}; returns true when the state changed (its entry action has then run). */
    boolean fire(Input in, long now) {
        StreamState to = next(state, in);
        if (to == null) {
            return false;
        }
        StreamState from = state;
        state = to;
        actions.enter(from, to, now);
        return true;
    }
}
