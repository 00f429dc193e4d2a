package pilot.core.stream;

/**
 * When in-order data is acknowledged at once and when the ACK is delayed (spec G.4, docs/SPEC-NOTES.md S1).
 * Quick ACKs, as TCP stacks do: a segment shorter than the peer's full segments ends a write (nothing
 * queued behind it, PSH-like), and a peer that already waited out one delayed ACK is a Nagle or
 * stop-and-wait sender; both wait for this ACK before sending more.
 */
final class AckPolicy {
    private final StreamConfig cfg;
    private int pending;             // in-order segments not yet acknowledged
    private int largestSegmentSeen;  // the peer's segment size as far as we can tell
    private boolean quick;           // the peer waited out a delayed ACK: it sends only after each ACK

    AckPolicy(StreamConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * In-order data of {@code len} bytes arrived. True: ACK now. False: the delayed-ACK timer runs (started
     * here if it was not running).
     */
    boolean ackNow(int len, boolean holesRemain, TimerTable timers, long now) {
        boolean endsWrite = len < Math.max(largestSegmentSeen, cfg.mss());
        long due = timers.get(TimerTable.Timer.DELAYED_ACK);
        if (due != TimerTable.NONE && now - (due - cfg.delayedAckMillis()) >= cfg.delayedAckMillis() / 2) {
            quick = true; // this segment came only after half the ACK delay: the sender was waiting on us
        }
        largestSegmentSeen = Math.max(largestSegmentSeen, len);
        if (holesRemain || ++pending >= cfg.ackEverySegments() || endsWrite || quick) {
            return true;
        }
        if (due == TimerTable.NONE) {
            timers.set(TimerTable.Timer.DELAYED_ACK, now + cfg.delayedAckMillis());
        }
        return false;
    }

    /** An ACK went out (pure or piggybacked on data): nothing is owed any more. */
    void onAckSent(TimerTable timers) {
        pending = 0;
        timers.cancel(TimerTable.Timer.DELAYED_ACK);
    }

    /** The delayed ACK fired: the peer sent nothing more within the delay, so it waits for each ACK. */
    void onDelayedAckFired() {
        quick = true;
    }
}
