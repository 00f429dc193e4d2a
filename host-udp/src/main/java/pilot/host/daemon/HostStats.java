package pilot.host.daemon;

import java.util.Map;
import pilot.core.ErrorCode;

/**
 * One consistent reading of a host's node, taken on its event loop ({@link HostDaemon#snapshot()}).
 *
 * @param peers         peers the node holds a link for (with or without a session)
 * @param sessions      peers with an installed session (keys agreed)
 * @param halfOpen      key exchanges started and not yet finished
 * @param streams       streams in the node's table, lingering ones included
 * @param activeStreams streams neither closed nor in TIME_WAIT
 * @param packetsIn     packets the node accepted since it started
 * @param packetsOut    packets the node sent since it started
 * @param bufferedBytes bytes held in the node's buffers and queues
 * @param drops         datagrams and packets dropped since start, by reason (every {@link ErrorCode}, zeros included)
 */
public record HostStats(int peers, int sessions, int halfOpen, int streams, int activeStreams, long packetsIn,
                        long packetsOut, long bufferedBytes, Map<ErrorCode, Long> drops) {
    public HostStats {
        drops = Map.copyOf(drops);
    }
}
