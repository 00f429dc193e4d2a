package pilot.core.stream;

/**
 * The request/reply view of a stream ({@link CloseMode#AFTER_REPLY}, {@link ReplyPolicy}): how much we
 * wrote, whether the request is complete, when the reply last moved, and so whether the exchange has
 * ended, failed short, or fallen quiet. A plain stream has no policy and never ends here.
 */
final class ReplyTracker {
    /** What the exchange says now. */
    enum Verdict {
        /** Not over (or not an exchange). */
        OPEN,
        /** The peer closed before an expected reply was complete. */
        INCOMPLETE,
        /** The reply is complete, or the peer closed after our whole request. */
        COMPLETE
    }

    private ReplyPolicy policy;     // null: a plain stream
    private boolean requestDone;    // the application wrote its whole request
    private long writtenTotal;      // bytes the application handed us
    private long quietFrom;         // last reply byte, or when our data was last fully acknowledged

    void expect(ReplyPolicy p, long now) {
        policy = p;
        quietFrom = now;
    }

    void wrote(int n) {
        writtenTotal += n;
    }

    /** The application finished its request; a stream without a policy now waits for the peer's close. */
    void requestDone(long now) {
        if (policy == null) {
            policy = new ReplyPolicy(ReplyPolicy.UNKNOWN, 0, 0);
        }
        requestDone = true;
        quietFrom = Math.max(quietFrom, now);
    }

    /** A reply byte arrived. */
    void heard(long now) {
        quietFrom = now;
    }

    /** All our data is acknowledged: the quiet period may start. */
    void allAcked(long now) {
        quietFrom = Math.max(quietFrom, now);
    }

    /**
     * For an echo exchange, bytes we may still write ahead of the echo: the policy's lead, capped by the
     * peer's advertised window (in our segments) so its receive queue never fills.
     */
    int echoRoom(int peerWindow, int mss, long receivedTotal) {
        if (policy == null || !policy.isEcho()) {
            return Integer.MAX_VALUE;
        }
        long lead = policy.maxAheadBytes() > 0 ? policy.maxAheadBytes() : Long.MAX_VALUE;
        if (peerWindow > 0) {
            lead = Math.min(lead, Math.max(mss, (long) peerWindow * mss));
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, lead - (writtenTotal - receivedTotal)));
    }

    Verdict verdict(boolean peerClosed, long receivedTotal) {
        if (policy == null) {
            return Verdict.OPEN;
        }
        long want = policy.isEcho() ? writtenTotal : policy.expectBytes();
        if (peerClosed && want >= 0 && receivedTotal < want) {
            return Verdict.INCOMPLETE;
        }
        if (!requestDone) {
            return Verdict.OPEN;
        }
        return peerClosed || (want >= 0 && receivedTotal >= want) ? Verdict.COMPLETE : Verdict.OPEN;
    }

    /**
     * When a quiet reply of unknown length ends the exchange, or NONE. A reply of expected length never
     * ends by silence: short is short, and the idle timeout or the peer's close decides.
     */
    long quietDeadline(boolean closeRequested, boolean sendIdle) {
        if (policy == null || !requestDone || closeRequested || policy.quietMillis() == 0 || !sendIdle
                || policy.expectBytes() != ReplyPolicy.UNKNOWN) {
            return TimerTable.NONE;
        }
        return quietFrom + policy.quietMillis();
    }
}
