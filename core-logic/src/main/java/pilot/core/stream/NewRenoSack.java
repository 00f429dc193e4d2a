package pilot.core.stream;

/**
 * The stream's congestion control: slow start and congestion avoidance in bytes, fast recovery after three
 * duplicate ACKs with NewReno partial-ACK handling, and RFC 6675-style loss marking from SACK blocks
 * (docs/SPEC-NOTES.md, "Streams"). A timeout resets the window to its initial size.
 */
final class NewRenoSack implements CongestionControl {
    private static final int DUP_ACK_THRESHOLD = 3;
    private final StreamConfig cfg;
    private int cwnd;
    private int ssthresh;
    private int dupAcks;
    private boolean fastRecovery;
    private boolean rtoRecovery;
    private int recoveryPoint;
    private int episode;

    NewRenoSack(StreamConfig cfg) {
        this.cfg = cfg;
        this.cwnd = cfg.initialCwndSegments() * cfg.mss();
        this.ssthresh = cfg.maxCwndBytes() / 2;
    }

    @Override
    public int windowBytes() {
        return cwnd;
    }

    @Override
    public int episode() {
        return episode;
    }

    @Override
    public void onDuplicateAck(SendQueue queue) {
        dupAcks++;
        if (!fastRecovery && dupAcks == DUP_ACK_THRESHOLD) {
            fastRecovery = true;
            episode++;
            recoveryPoint = queue.sendNext();
            ssthresh = Math.max(cwnd / 2, 2 * cfg.mss());
            cwnd = ssthresh;
            SendQueue.Segment first = queue.firstUnsacked();
            if (first != null) {
                queue.markLost(first);
            }
        }
        if (fastRecovery) {
            queue.markLostBySack(DUP_ACK_THRESHOLD * cfg.mss(), episode);
        }
    }

    @Override
    public void onNewAck(int ack, int ackedBytes, SendQueue queue) {
        dupAcks = 0;
        if (fastRecovery) {
            SendQueue.Segment first = queue.first();
            if (Seq.atOrAfter(ack, recoveryPoint)) {
                fastRecovery = false;
                cwnd = ssthresh;
            } else if (first != null && first.episode != episode) {
                queue.markLost(first); // partial ACK: the next hole is lost too (NewReno)
            }
        } else {
            grow(ackedBytes);
        }
        if (rtoRecovery && Seq.atOrAfter(ack, recoveryPoint)) {
            rtoRecovery = false;
        }
    }

    @Override
    public void onRetransmissionTimeout(int sendNext) {
        if (!rtoRecovery) {
            rtoRecovery = true;
            ssthresh = Math.max(cwnd / 2, 2 * cfg.mss());
            recoveryPoint = sendNext;
        }
        fastRecovery = false;
        episode++;
        cwnd = cfg.initialCwndSegments() * cfg.mss();
    }

    private void grow(int acked) {
        if (cwnd < ssthresh) {
            cwnd += acked;
        } else {
            cwnd += Math.max(1, (int) ((long) cfg.mss() * acked / cwnd));
        }
        cwnd = Math.min(cwnd, cfg.maxCwndBytes());
    }
}
