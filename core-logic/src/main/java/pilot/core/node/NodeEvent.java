package pilot.core.node;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;

/**
 * What the node tells the application: one record per kind, each with only its own fields. Only the wasm
 * boundary flattens an event into a kind code plus fields ({@code pilot.wasm.Layouts.event},
 * {@code pilot.core.edge.EventLayout}); {@link Kind} keeps the numbers it uses there.
 */
public sealed interface NodeEvent {
    /** The kind's number at the wasm boundary (the {@code kind} byte of the event record). */
    Kind kind();

    /** A session with {@code peer} is installed (keys agreed). */
    record PeerUp(Address peer) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.PEER_UP;
        }
    }

    /** The host should find {@code peer}'s endpoint and Ed25519 key, then call {@code addPeer}. */
    record PeerNeeded(Address peer) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.PEER_NEEDED;
        }
    }

    /** The handshake with {@code peer} never completed or the look-up failed; its traffic was dropped. */
    record PeerUnreachable(Address peer, ErrorCode error) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.PEER_UNREACHABLE;
        }
    }

    /** Our dial was answered: the stream can carry data both ways. */
    record StreamOpened(int stream) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.STREAM_OPENED;
        }
    }

    /** {@code peer} opened a stream from its {@code remotePort} to our listening {@code localPort}. */
    record StreamAccepted(int stream, Address peer, int localPort, int remotePort) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.STREAM_ACCEPTED;
        }
    }

    /** Data or end-of-stream can be read. */
    record StreamReadable(int stream) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.STREAM_READABLE;
        }
    }

    /** A refused write may be retried. */
    record StreamWritable(int stream) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.STREAM_WRITABLE;
        }
    }

    /** The stream ended; {@code error} is null after a clean close both ways. */
    record StreamClosed(int stream, ErrorCode error) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.STREAM_CLOSED;
        }
    }

    /** A datagram from {@code peer}'s {@code remotePort} to our {@code localPort}. */
    record Datagram(Address peer, int localPort, int remotePort, byte[] data) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.DATAGRAM;
        }

        /** A copy: the event may be read by several listeners. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The payload's length without a copy. */
        public int length() {
            return data.length;
        }

        /** The payload itself, for {@link EventFields#dataUncopied}: never modified, kept or handed on. */
        byte[] shared() {
            return data;
        }

        @Override
        public String toString() {
            return "Datagram[peer=" + peer + " ports=" + localPort + "/" + remotePort + " len=" + data.length + "]";
        }
    }

    /** {@code peer} answered ping {@code ping} after {@code rttMillis}. */
    record Pong(int ping, Address peer, long rttMillis) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.PONG;
        }
    }

    /** Ping {@code ping} to {@code peer} got no answer: {@code TIMED_OUT}, or {@code PEER_UNREACHABLE}. */
    record PingTimeout(int ping, Address peer, ErrorCode error) implements NodeEvent {
        @Override
        public Kind kind() {
            return Kind.PING_TIMEOUT;
        }
    }

    /** The kinds with their numbers at the wasm boundary (test-vectors/generated/edge.json {@code event_kinds}). */
    enum Kind {
        PEER_UP(1),
        PEER_NEEDED(2),
        PEER_UNREACHABLE(3),
        STREAM_OPENED(4),
        STREAM_ACCEPTED(5),
        STREAM_READABLE(6),
        STREAM_WRITABLE(7),
        STREAM_CLOSED(8),
        DATAGRAM(9),
        PONG(10),
        PING_TIMEOUT(11);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
