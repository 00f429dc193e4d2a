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

    // What bounds() answers; ints, not an enum: every enum costs the Worker's wasm its values/valueOf/name tables.
    /** Admit the SYN. */
    static final int ADMIT = 0;
    /** A stream bound (node, port, peer) is reached: answer with RST (spec G.3 listener step 4). */
    static final int RESET = 1;
    /** The peer holds its half-open streams already: drop silently, its SYN retransmission may come in later. */
    static final int DROP = 2;

    /** Step 4 and the per-peer bounds, in one walk over the streams: {@link #ADMIT}, {@link #RESET} or {@link #DROP}. */
    int bounds(int dstPort, Address src, StreamIndex streams) {
        int[] n = streams.census(dstPort, src);
        int r = n[0] >= limits.maxStreams() || n[1] >= limits.maxStreamsPerPort() || n[2] >= limits.maxStreamsPerPeer()
                ? RESET : n[3] >= limits.maxHalfOpenPerPeer() ? DROP : ADMIT;
        if (r != ADMIT) {
            refused++;
        }
        return r;
    }

    long refused() {
        return refused;
    }
}
