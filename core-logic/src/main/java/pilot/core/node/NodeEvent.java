package pilot.core.node;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;

/**
 * What the node tells the application, one flat value per event so it crosses the wasm boundary as a
 * kind code plus fields. Which fields are set depends on {@link #kind()}; see {@link Kind}.
 */
public record NodeEvent(Kind kind, int stream, Address peer, int localPort, int remotePort, byte[] data, long value,
                        ErrorCode error) {
    public enum Kind {
        /** {@code peer}: a session with the peer is installed (keys agreed). */
        PEER_UP(1),
        /** {@code peer}: the host should find the peer's endpoint and Ed25519 key, then call {@code addPeer}. */
        PEER_NEEDED(2),
        /** {@code peer}, {@code error}: the handshake never completed or the look-up failed; its traffic was dropped. */
        PEER_UNREACHABLE(3),
        /** {@code stream}, {@code peer}, {@code localPort}, {@code remotePort}: our dial was answered. */
        STREAM_OPENED(4),
        /** {@code stream}, {@code peer}, {@code localPort}, {@code remotePort}: a peer opened a stream to us. */
        STREAM_ACCEPTED(5),
        /** {@code stream}: data or end-of-stream can be read. */
        STREAM_READABLE(6),
        /** {@code stream}: a refused write may be retried. */
        STREAM_WRITABLE(7),
        /** {@code stream}, {@code error} (null = clean close both ways). */
        STREAM_CLOSED(8),
        /** {@code peer}, {@code localPort} (ours), {@code remotePort} (theirs), {@code data}. */
        DATAGRAM(9),
        /** {@code peer}, {@code value} = round trip in ms, {@code stream} = ping id. */
        PONG(10),
        /** {@code peer}, {@code stream} = ping id. */
        PING_TIMEOUT(11);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    static NodeEvent peer(Kind kind, Address peer, ErrorCode error) {
        return new NodeEvent(kind, 0, peer, 0, 0, null, 0, error);
    }

    static NodeEvent stream(Kind kind, int stream, Address peer, int localPort, int remotePort, ErrorCode error) {
        return new NodeEvent(kind, stream, peer, localPort, remotePort, null, 0, error);
    }

    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    @Override
    public String toString() {
        return kind + "[stream=" + stream + " peer=" + peer + " ports=" + localPort + "/" + remotePort
                + (data == null ? "" : " len=" + data.length) + " value=" + value + (error == null ? "" : " " + error) + "]";
    }
}
