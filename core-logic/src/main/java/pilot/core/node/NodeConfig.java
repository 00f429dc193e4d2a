package pilot.core.node;

import pilot.core.envelope.WireProfile;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.stream.StreamConfig;
import pilot.core.stream.StreamTable;

/**
 * Everything tunable about a node; {@link #DEFAULTS} is what a user gets.
 *
 * @param profile             wire profile for peers without an explicit one (modern)
 * @param handshake           key-exchange bounds (spec D.2, F.5)
 * @param stream              stream transport constants (spec G)
 * @param streams             stream count and SYN limits (spec G.3)
 * @param echoService         answer streams to port 7 by echoing (spec H.3), as the reference daemon does
 * @param acceptPlaintext     accept PILT frames (off: modern daemons drop PILT once encryption is on)
 * @param handshakeRetryMillis first PILA retransmission delay; doubles each try
 * @param handshakeMaxRetryMillis cap of that delay
 * @param handshakeTries      PILA transmissions before the peer is declared unreachable
 * @param maxQueuedPerPeer    packets held per peer while its session is being set up
 * @param pingTimeoutMillis   when a control ping without answer becomes PING_TIMEOUT
 * @param maxEvents           queued application events at most (datagram/pong events beyond are dropped)
 * @param maxTransmits        queued outgoing datagrams at most (beyond: dropped and counted)
 * @param maxStashedKeyFrames PILA frames held per unknown sender while the host looks its key up
 */
public record NodeConfig(WireProfile profile, HandshakeLimits handshake, StreamConfig stream, StreamTable.Limits streams,
                         boolean echoService, boolean acceptPlaintext, long handshakeRetryMillis,
                         long handshakeMaxRetryMillis, int handshakeTries, int maxQueuedPerPeer, long pingTimeoutMillis,
                         int maxEvents, int maxTransmits, int maxStashedKeyFrames) {
    public static final NodeConfig DEFAULTS = new NodeConfig(WireProfile.MODERN, HandshakeLimits.DEFAULTS,
            StreamConfig.DEFAULTS, StreamTable.Limits.DEFAULTS, true, false, 1000, 8000, 6, 256, 5000, 65536, 65536, 64);

    public NodeConfig withProfile(WireProfile p) {
        return new NodeConfig(p, handshake, stream, streams, echoService, acceptPlaintext, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }

    public NodeConfig withStream(StreamConfig s) {
        return new NodeConfig(profile, handshake, s, streams, echoService, acceptPlaintext, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }

    public NodeConfig withEcho(boolean echo) {
        return new NodeConfig(profile, handshake, stream, streams, echo, acceptPlaintext, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }

    public NodeConfig withPlaintext(boolean accept) {
        return new NodeConfig(profile, handshake, stream, streams, echoService, accept, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }

    public NodeConfig withHandshake(HandshakeLimits h) {
        return new NodeConfig(profile, h, stream, streams, echoService, acceptPlaintext, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }

    public NodeConfig withStreams(StreamTable.Limits l) {
        return new NodeConfig(profile, handshake, stream, l, echoService, acceptPlaintext, handshakeRetryMillis,
                handshakeMaxRetryMillis, handshakeTries, maxQueuedPerPeer, pingTimeoutMillis, maxEvents, maxTransmits,
                maxStashedKeyFrames);
    }
}
