package pilot.core.stream;

/**
 * Smoothed round-trip time and the retransmission timeout derived from it (RFC 6298 arithmetic in whole
 * milliseconds). Samples come only from segments sent once and not SACKed (Karn's rule, applied by
 * {@link SendQueue#acknowledge}).
 */
final class RttEstimator {
    private final StreamConfig cfg;
    private long srtt = -1;
    private long rttvar;
    private long rto;

    RttEstimator(StreamConfig cfg) {
        this.cfg = cfg;
        this.rto = cfg.initialRtoMillis();
    }

    /** The current retransmission timeout in milliseconds. */
    long rto() {
        return rto;
    }

    void onSample(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.max(cfg.minRtoMillis(), Math.min(cfg.maxRtoMillis(), srtt + Math.max(cfg.clockGranularityMillis(), 4 * rttvar)));
    }

    /** A retransmission timeout fired: the next one waits twice as long, up to the maximum. */
    void backOff() {
        rto = Math.min(rto * 2, cfg.maxRtoMillis());
    }
}
