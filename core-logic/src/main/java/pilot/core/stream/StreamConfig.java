package pilot.core.stream;

/**
 * Stream transport constants (spec G). {@link #DEFAULTS} follows the reference values except where
 * docs/SPEC-NOTES.md says otherwise (MSS 1024, no Nagle delay).
 *
 * @param mss                    payload bytes per segment we send (spec K: 1024 is safe for every version)
 * @param windowUnit             bytes one advertised window slot stands for; the largest MSS any peer uses (4096)
 * @param sendBufferBytes        unsent plus unacknowledged bytes per stream; writes beyond are refused (backpressure)
 * @param receiveBufferBytes     unread plus out-of-order bytes per stream; segments beyond are dropped
 * @param maxOutOfOrder          out-of-order segments held per stream (spec G.4: 128)
 * @param initialCwndSegments    initial congestion window in MSS (spec G.5: 10)
 * @param maxCwndBytes           congestion window cap (spec G.5: 1 MiB)
 * @param initialRtoMillis       spec G.5: 1 s
 * @param minRtoMillis           spec G.5: 200 ms
 * @param maxRtoMillis           spec G.5: 10 s
 * @param clockGranularityMillis spec G.5: 10 ms
 * @param maxAttempts            transmissions of one segment before the stream is reset (spec G.5: 8)
 * @param synRtoMillis           first SYN retransmission delay (spec G.3: 1 s)
 * @param synMaxRtoMillis        SYN retransmission cap (spec G.3: 8 s)
 * @param synRetries             SYN retransmissions before "dial timeout" (spec G.3: 6)
 * @param delayedAckMillis       spec G.4: 40 ms
 * @param ackEverySegments       spec G.4: 2
 * @param keepaliveMillis        idle time before a keepalive probe (spec G.8: 30 s)
 * @param idleTimeoutMillis      no data either way for this long closes the stream (spec G.8: 120 s)
 * @param timeWaitMillis         spec G.6: 10 s
 * @param coalesceAcks           the ACKs spec G.4 sends at once while one input is handled become one ACK per stream,
 *                               due at once, sent when the owner runs its due timers after that input (off by
 *                               default; a Worker, whose input is a relay batch or a batch of WebCrypto opens,
 *                               turns it on: {@link AckPolicy}); an ACK reporting a hole still leaves at once
 */
public record StreamConfig(int mss, int windowUnit, int sendBufferBytes, int receiveBufferBytes, int maxOutOfOrder,
                           int initialCwndSegments, int maxCwndBytes, long initialRtoMillis, long minRtoMillis,
                           long maxRtoMillis, long clockGranularityMillis, int maxAttempts, long synRtoMillis,
                           long synMaxRtoMillis, int synRetries, long delayedAckMillis, int ackEverySegments,
                           long keepaliveMillis, long idleTimeoutMillis, long timeWaitMillis, boolean coalesceAcks) {
    public static final StreamConfig DEFAULTS = new StreamConfig(1024, 4096, 256 * 1024, 256 * 1024, 128, 10, 1024 * 1024,
            1000, 200, 10_000, 10, 8, 1000, 8000, 6, 40, 2, 30_000, 120_000, 10_000);

    public StreamConfig {
        if (mss < 1 || mss > 65535 - 0 || windowUnit < mss || sendBufferBytes < mss || receiveBufferBytes < windowUnit
                || maxOutOfOrder < 1 || initialCwndSegments < 1 || maxAttempts < 1 || synRetries < 0
                || ackEverySegments < 1 || minRtoMillis < 1 || maxRtoMillis < minRtoMillis) {
            throw new IllegalArgumentException("invalid stream configuration");
        }
    }

    /** Without ACK coalescing (the default). */
    public StreamConfig(int mss, int windowUnit, int sendBufferBytes, int receiveBufferBytes, int maxOutOfOrder,
                        int initialCwndSegments, int maxCwndBytes, long initialRtoMillis, long minRtoMillis,
                        long maxRtoMillis, long clockGranularityMillis, int maxAttempts, long synRtoMillis,
                        long synMaxRtoMillis, int synRetries, long delayedAckMillis, int ackEverySegments,
                        long keepaliveMillis, long idleTimeoutMillis, long timeWaitMillis) {
        this(mss, windowUnit, sendBufferBytes, receiveBufferBytes, maxOutOfOrder, initialCwndSegments, maxCwndBytes,
                initialRtoMillis, minRtoMillis, maxRtoMillis, clockGranularityMillis, maxAttempts, synRtoMillis,
                synMaxRtoMillis, synRetries, delayedAckMillis, ackEverySegments, keepaliveMillis, idleTimeoutMillis,
                timeWaitMillis, false);
    }

    public StreamConfig withBuffers(int send, int receive) {
        return new StreamConfig(mss, windowUnit, send, receive, maxOutOfOrder, initialCwndSegments, maxCwndBytes,
                initialRtoMillis, minRtoMillis, maxRtoMillis, clockGranularityMillis, maxAttempts, synRtoMillis,
                synMaxRtoMillis, synRetries, delayedAckMillis, ackEverySegments, keepaliveMillis, idleTimeoutMillis,
                timeWaitMillis, coalesceAcks);
    }

    /** The same with another segment size (at most {@link #windowUnit}), e.g. the size a peer's generation uses. */
    public StreamConfig withMss(int segment) {
        return new StreamConfig(segment, windowUnit, sendBufferBytes, receiveBufferBytes, maxOutOfOrder, initialCwndSegments,
                maxCwndBytes, initialRtoMillis, minRtoMillis, maxRtoMillis, clockGranularityMillis, maxAttempts,
                synRtoMillis, synMaxRtoMillis, synRetries, delayedAckMillis, ackEverySegments, keepaliveMillis,
                idleTimeoutMillis, timeWaitMillis, coalesceAcks);
    }

    public StreamConfig withTimeouts(long keepalive, long idle, long timeWait) {
        return new StreamConfig(mss, windowUnit, sendBufferBytes, receiveBufferBytes, maxOutOfOrder, initialCwndSegments,
                maxCwndBytes, initialRtoMillis, minRtoMillis, maxRtoMillis, clockGranularityMillis, maxAttempts,
                synRtoMillis, synMaxRtoMillis, synRetries, delayedAckMillis, ackEverySegments, keepalive, idle, timeWait,
                coalesceAcks);
    }

    /** The same with ACKs coalesced per input ({@code coalesceAcks}) on or off. */
    public StreamConfig withCoalescedAcks(boolean on) {
        return new StreamConfig(mss, windowUnit, sendBufferBytes, receiveBufferBytes, maxOutOfOrder, initialCwndSegments,
                maxCwndBytes, initialRtoMillis, minRtoMillis, maxRtoMillis, clockGranularityMillis, maxAttempts,
                synRtoMillis, synMaxRtoMillis, synRetries, delayedAckMillis, ackEverySegments, keepaliveMillis,
                idleTimeoutMillis, timeWaitMillis, on);
    }
}
