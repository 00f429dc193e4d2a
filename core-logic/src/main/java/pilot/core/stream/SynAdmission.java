package pilot.core.stream;

import pilot.core.addr.Address;
import pilot.core.limit.RateLimiter;

/**
 * Whether a SYN to a listening port may open a stream (spec G.3 listener steps 3-4): the node-wide and
 * per-source SYN rates, then the stream bounds. Counts what it refuses. Single-threaded.
 */
final class SynAdmission {
    /** What to do with a SYN. */
    enum Verdict {
        ADMIT,
        /** Over a SYN rate: dropped silently (step 3). */
        DROP,
        /** Over a stream bound: answered with RST (step 4). */
        RESET
    }

    private final StreamTable.Limits limits;
    private final RateLimiter synGlobal;
    private final RateLimiter synPerSource;
    private long refused;

    SynAdmission(StreamTable.Limits limits) {
        this.limits = limits;
        this.synGlobal = new RateLimiter(limits.synPerSecond(), 1, 10_000);
        this.synPerSource = new RateLimiter(limits.synPerSourcePerSecond(), limits.maxSynSources(), 10_000);
    }

    /** Rates first, so a flood costs no walk over the streams; the per-port count only when the rest allows. */
    Verdict admit(Address src, int dstPort, StreamIndex streams, long now) {
        if (!synGlobal.allow("", now) || !synPerSource.allow(src.toString(), now)) {
            refused++;
            return Verdict.DROP;
        }
        if (streams.active(-1) >= limits.maxStreams() || streams.active(dstPort) >= limits.maxStreamsPerPort()) {
            refused++;
            return Verdict.RESET;
        }
        return Verdict.ADMIT;
    }

    long refused() {
        return refused;
    }
}
