package pilot.core.stream;

import pilot.core.addr.Address;
import pilot.core.limit.RateLimiter;

/**
 * Whether a SYN to a listening port may open a stream (spec G.3 listener steps 3-4): the node-wide and
 * per-source SYN rates, then the stream bounds. Counts what it refuses. Single-threaded.
 */
final class SynAdmission {
    private final StreamTable.Limits limits;
    private final RateLimiter synGlobal;
    private final RateLimiter synPerSource;
    private long refused;

    SynAdmission(StreamTable.Limits limits) {
        this.limits = limits;
        this.synGlobal = new RateLimiter(limits.synPerSecond(), 1, 10_000);
        this.synPerSource = new RateLimiter(limits.synPerSourcePerSecond(), limits.maxSynSources(), 10_000);
    }

    /**
     * Step 3, asked first so that a flood costs no walk over the streams: false = drop it silently. The
     * source's own bucket first: a source over its rate must not spend the node-wide tokens (a probe on
     * Nov 30 had one session's refused SYNs use up the node's 100/s and lock honest peers out).
     */
    boolean rateAllows(Address src, long now) {
        if (!synPerSource.allow(src.toString(), now) || !synGlobal.allow("", now)) {
            refused++;
            return false;
        }
        return true;
    }

    /** Step 4: false = answer it with RST. The per-port count only when the node-wide bound allows. */
    boolean boundsAllow(int dstPort, StreamIndex streams) {
        if (streams.active(-1) >= limits.maxStreams() || streams.active(dstPort) >= limits.maxStreamsPerPort()) {
            refused++;
            return false;
        }
        return true;
    }

    long refused() {
        return refused;
    }
}
