package pilot.core.stream;

import pilot.core.ErrorCode;

import static pilot.core.stream.TimerTable.Timer;

/**
 * How one stream ends on our side: half close, full close, close once the reply is complete, abort, and
 * whether everything of ours has been delivered ({@link #settled}). The FIN itself leaves through
 * {@link Connection#pump} once {@link #requested()} and the data before it are sent.
 */
final class Shutdown {
    private final Connection c;
    private boolean requested;

    Shutdown(Connection c) {
        this.c = c;
    }

    /** The application is done writing; a FIN follows the buffered data. */
    boolean requested() {
        return requested;
    }

    /** Ends the stream as {@code mode} says (see {@link CloseMode}). */
    void close(CloseMode mode, long now) {
        if (requested || c.state() == StreamState.CLOSED) {
            return;
        }
        switch (mode) {
            case HALF -> close(now);
            case FULL -> {
                c.discardIncoming = true;
                c.signalReadable(); // the reader's end is now
                close(now);
            }
            case AFTER_REPLY -> {
                c.reply.requestDone(now);
                checkReply(now);
            }
        }
    }

    /** Half-close: no more writes; a FIN follows the buffered data (spec G.6). */
    void close(long now) {
        if (requested || c.state() == StreamState.CLOSED) {
            return;
        }
        requested = true;
        if (c.state() == StreamState.SYN_SENT) {
            return; // the FIN follows once established
        }
        c.pump(now);
    }

    /** Sends RST and drops everything (spec G.7). */
    void abort(long now, ErrorCode reason) {
        if (c.state() == StreamState.CLOSED) {
            return;
        }
        if (c.state() != StreamState.TIME_WAIT) {
            c.tx.rst(now);
        }
        c.terminate(reason, now);
    }

    /** Ends a request/reply exchange that is complete (FULL close) or came back short (abort). */
    void checkReply(long now) {
        if (requested || c.state() == StreamState.CLOSED) {
            return;
        }
        ReplyTracker.Verdict v = c.reply.verdict(c.recv.finConsumed(), c.recv.receivedTotal());
        if (v == ReplyTracker.Verdict.INCOMPLETE) {
            abort(now, ErrorCode.REPLY_INCOMPLETE); // the peer closed before replying in full
        } else if (v == ReplyTracker.Verdict.COMPLETE) {
            close(CloseMode.FULL, now);
        }
    }

    /**
     * Nothing of ours is still on its way: no data or FIN unacknowledged, no ACK owed, and a close we
     * began has finished. A stream the application left open with nothing in flight counts as settled.
     */
    boolean settled() {
        return switch (c.state()) {
            case CLOSED, TIME_WAIT -> true;
            // our FIN went out: wait for its ACK and the peer's FIN, which we must acknowledge
            case SYN_SENT, FIN_WAIT, LAST_ACK -> false;
            default -> !c.sendQ.hasUnacked() && !c.sendQ.hasUnsent() && !c.timers.isSet(Timer.DELAYED_ACK) && !requested;
        };
    }
}
