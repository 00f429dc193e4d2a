package pilot.core.stream;

import static pilot.core.stream.TimerTable.Timer;

/**
 * The entry actions of {@link StreamMachine}'s states: what entering a state does to one stream, run once
 * per transition. SYN_SENT is only ever initial; FIN_WAIT, CLOSE_WAIT and LAST_ACK have no entry action.
 */
final class StateEntry implements StreamMachine.EntryActions {
    private final Connection c;
    private final StreamConfig cfg;

    StateEntry(Connection c, StreamConfig cfg) {
        this.c = c;
        this.cfg = cfg;
    }

    @Override
    public void enter(StreamState from, StreamState to, long now) {
        switch (to) {
            case ESTABLISHED -> { // from SYN_SENT: our SYN was answered
                c.timers.cancel(Timer.SYN);
                c.tx.markData(now);
                c.tx.ack(now);
                c.out.opened(c.id);
            }
            case TIME_WAIT -> { // both FINs acknowledged: linger; the stream is done for the application
                c.timers.set(Timer.TIME_WAIT, now + cfg.timeWaitMillis());
                c.timers.cancel(Timer.RTO);
                c.sendQ.clear();
                c.out.closed(c.id, null);
            }
            case CLOSED -> {
                c.sendQ.clear();
                c.recv.clear(c.closeReason() != null);
                c.timers.cancelAll();
                if (from != StreamState.TIME_WAIT) {
                    c.out.closed(c.id, c.closeReason());
                }
            }
            default -> {
            }
        }
    }
}
