package pilot.core.stream;

/**
 * When in-order data is acknowledged at once and when the ACK is delayed (spec G.4, docs/SPEC-NOTES.md S1).
 * Quick ACKs, as TCP stacks do: a segment shorter than the peer's full segments ends a write (nothing
 * queued behind it, PSH-like), and a peer that already waited out one delayed ACK is a Nagle or
 * stop-and-wait sender; both wait for this ACK before sending more.
 *
 * <p>Quick mode does not acknowledge every segment: it makes the delay zero. The ACK every second
 * segment still leaves at once, and an odd segment's ACK is due at the very instant it arrived, so it
 * goes out when the owner runs its due timers after the input at hand (a host after each batch of
 * datagrams, the Worker after each). A Nagle peer waiting on that ACK gets it without the 40 ms, and a
 * streaming peer keeps getting one ACK per two segments: before, a single delayed ACK that fired (a
 * pause of the writer, a descheduled event loop) made the receiver acknowledge every segment for the rest
 * of the stream, half again as many datagrams per byte.
 *
 * <p>With {@link StreamConfig#coalesceAcks} the ACKs that would leave at once (every second segment, the end
 * of a write) are due at once instead, so one input (a batch) ends with one ACK per stream; holes are still
 * reported at once.
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
        if (holesRemain) {
            return true; // reports a hole: each one counts as a duplicate ACK at the sender
        }
        if (++pending >= cfg.ackEverySegments() || endsWrite) {
            if (!cfg.coalesceAcks()) {
                return true;
            }
            // due now, not sent now: the owner sends one ACK after the input at hand, which acknowledges every
            // segment of it at the instant the ACKs of each second segment would have left (a relay batch of up
            // to 64 segments made up to 32 ACKs, each a seal, a WebSocket message, a relay frame and a datagram)
            timers.set(TimerTable.Timer.DELAYED_ACK, now);
            return false;
        }
        if (quick) {
            timers.set(TimerTable.Timer.DELAYED_ACK, now); // due now: sent when the owner runs due timers
        } else if (due == TimerTable.NONE) {
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
