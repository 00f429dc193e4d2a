package pilot.core.stream;

import pilot.core.ErrorCode;

import static pilot.core.stream.TimerTable.Timer;

/**
 * Fires one connection's expired timers in {@link Timer} order: SYN retransmission (and the dial
 * timeout) or a half-open stream's SYN|ACK again, an accepted stream whose SYN|ACK was never answered, the
 * end of TIME_WAIT, a quiet reply, the delayed ACK, the retransmission timeout (spec G.5), the idle timeout
 * and the keepalive probe (spec G.8). Spurious calls do nothing.
 */
final class TimeoutHandler {
    private final Connection c;
    private final StreamConfig cfg;
    /**
     * SYN|ACKs a half-open stream sends again, at the SYN RTO and doubling (1 s and 3 s by default, within the 5 s
     * half-open timeout; after the last one's wait it is forgotten as a dialer gives up): with the first, at most
     * three per admitted SYN, the bound on what a SYN flood gets back (docs/SECURITY.md).
     */
    static final int SYN_ACK_RESENDS = 2;
    private int synRetries;
    private long synRto;

    TimeoutHandler(Connection c, StreamConfig cfg) {
        this.c = c;
        this.cfg = cfg;
        this.synRto = cfg.synRtoMillis();
    }

    /** The interval before the next SYN retransmission. */
    long synRto() {
        return synRto;
    }

    long nextDeadline() {
        c.refreshReplyQuiet();
        return c.timers.next(c.live());
    }

    void onTimeout(long now) {
        TimerTable timers = c.timers;
        if (c.state() == StreamState.CLOSED) {
            return;
        }
        if (timers.expired(Timer.HALF_OPEN, now)) {
            // no RST: a dialer still in SYN_SENT would take it as a refusal; its next SYN opens afresh. Before the
            // SYN timer: a host that wakes after both forgets the stream without one more SYN|ACK
            c.terminate(ErrorCode.TIMED_OUT, now);
            return;
        }
        if (timers.expired(Timer.SYN, now)) {
            onSynTimeout(now);
            return;
        }
        if (timers.expired(Timer.TIME_WAIT, now)) {
            c.terminate(null, now);
            return;
        }
        c.refreshReplyQuiet();
        if (timers.expired(Timer.REPLY_QUIET, now)) {
            c.close(CloseMode.FULL, now); // the reply fell quiet: it has ended
        }
        if (timers.expired(Timer.DELAYED_ACK, now)) {
            c.acks.onDelayedAckFired();
            c.tx.ack(now);
        }
        if (timers.expired(Timer.RTO, now)) {
            onRto(now);
            if (c.state() == StreamState.CLOSED) {
                return;
            }
        }
        if (!c.live()) {
            return;
        }
        if (timers.expired(Timer.IDLE, now)) {
            c.abort(now, ErrorCode.TIMED_OUT); // no data either way for the idle timeout (spec G.8)
            return;
        }
        if (timers.expired(Timer.KEEPALIVE, now)) {
            c.tx.keepalive(now);
        }
    }

    private void onSynTimeout(long now) {
        boolean accepted = c.halfOpen(); // a listener's SYN|ACK, else a dialer's SYN
        if (synRetries >= (accepted ? SYN_ACK_RESENDS : cfg.synRetries())) {
            // "dial timeout" (spec G.3 step 3); a listener's stream is forgotten, silently, at this or the
            // half-open timeout, whichever comes first (by default the half-open one: 5 s before 7 s)
            c.terminate(ErrorCode.TIMED_OUT, now);
            return;
        }
        synRetries++;
        synRto = Math.min(synRto * 2, cfg.synMaxRtoMillis());
        c.tx.syn(now, synRto, accepted);
    }

    private void onRto(long now) {
        SendQueue.Segment first = c.sendQ.first();
        if (first == null) {
            c.timers.cancel(Timer.RTO);
            return;
        }
        // Give up only while the peer is silent: a live peer with a full buffer keeps ACKing.
        if (first.attempts >= cfg.maxAttempts() && c.lastHeardFrom <= first.sentAt) {
            c.abort(now, ErrorCode.TIMED_OUT);
            return;
        }
        c.cc.onRetransmissionTimeout(c.sendQ.sendNext());
        c.rtt.backOff();
        c.sendQ.markLostAfterTimeout();
        c.timers.set(Timer.RTO, now + c.rtt.rto());
        c.pump(now);
    }
}
