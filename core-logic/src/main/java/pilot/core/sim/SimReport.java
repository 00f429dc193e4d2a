package pilot.core.sim;

import java.util.List;

/**
 * What one run did. {@link #violations} empty means every invariant held.
 *
 * @param traceHash         FNV-1a 64 over every datagram put on the wire and every application event, in order
 * @param packets           datagrams delivered to nodes (including duplicates, corrupt and injected ones)
 * @param streamBytes       stream payload bytes verified at receivers
 * @param streamsCompleted  streams delivered completely and closed cleanly
 * @param streamsFailed     streams that reported an error (allowed: restarts, partitions)
 * @param attacksRefused    injected replays and forgeries (none may be delivered)
 * @param maxBufferedBytes  the largest {@code bufferedBytes()} any node reached
 * @param simulatedMillis   virtual time covered
 */
public record SimReport(SimConfig config, List<String> violations, long traceHash, long packets, long streamBytes,
                        int streamsCompleted, int streamsFailed, long attacksRefused, long maxBufferedBytes,
                        long simulatedMillis) {
    public boolean ok() {
        return violations.isEmpty();
    }

    public String traceHex() {
        String h = Long.toHexString(traceHash);
        return "0000000000000000".substring(h.length()) + h;
    }

    @Override
    public String toString() {
        return (ok() ? "OK " : "VIOLATED ") + config + " | packets=" + packets + " streamBytes=" + streamBytes
                + " completed=" + streamsCompleted + " failed=" + streamsFailed + " attacksRefused=" + attacksRefused
                + " maxBuffered=" + maxBufferedBytes + " trace=" + traceHex() + (ok() ? "" : " " + violations);
    }
}
