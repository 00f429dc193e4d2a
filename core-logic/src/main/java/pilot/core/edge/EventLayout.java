package pilot.core.edge;

import pilot.core.wire.Bytes;

/**
 * The byte record of one node event at the wasm boundary (NodeWasm writes it, pilot-core.mjs reads it),
 * big-endian: {@code kind(1) ‖ flags(1: bit 0 = peer set) ‖ stream(4) ‖ peerNetwork(2) ‖ peerNode(4) ‖
 * localPort(2) ‖ remotePort(2) ‖ value(8, signed) ‖ error(2: an ErrorCode number, 0 = none) ‖ data}.
 * Kind numbers are {@code NodeEvent.Kind.code()}; both tables are in test-vectors/generated/edge.json.
 */
public final class EventLayout {
    public static final int KIND = 0;
    public static final int FLAGS = 1;
    public static final int STREAM = 2;
    public static final int PEER_NETWORK = 6;
    public static final int PEER_NODE = 8;
    public static final int LOCAL_PORT = 12;
    public static final int REMOTE_PORT = 14;
    public static final int VALUE = 16;
    public static final int ERROR = 24;
    /** Bytes before the data. */
    public static final int HEADER = 26;
    /** Bit of {@link #FLAGS}: the peer fields are set. */
    public static final int FLAG_PEER = 1;

    private EventLayout() {
    }

    /** One event's fields, flattened; {@code hasPeer} false leaves the peer fields 0. */
    public record Fields(int kind, int stream, boolean hasPeer, int peerNetwork, int peerNode, int localPort,
                         int remotePort, long value, int error) {
    }

    public static int size(byte[] data) {
        return HEADER + (data == null ? 0 : data.length);
    }

    /** Writes the record at {@code out[at]}; returns its length. */
    public static int encode(Fields f, byte[] data, byte[] out, int at) {
        out[at + KIND] = (byte) f.kind();
        out[at + FLAGS] = (byte) (f.hasPeer() ? FLAG_PEER : 0);
        Bytes.put32(out, at + STREAM, f.stream());
        Bytes.put16(out, at + PEER_NETWORK, f.hasPeer() ? f.peerNetwork() : 0);
        Bytes.put32(out, at + PEER_NODE, f.hasPeer() ? f.peerNode() : 0);
        Bytes.put16(out, at + LOCAL_PORT, f.localPort());
        Bytes.put16(out, at + REMOTE_PORT, f.remotePort());
        Bytes.put64(out, at + VALUE, f.value());
        Bytes.put16(out, at + ERROR, f.error());
        int n = data == null ? 0 : data.length;
        if (n > 0) {
            System.arraycopy(data, 0, out, at + HEADER, n);
        }
        return HEADER + n;
    }
}
