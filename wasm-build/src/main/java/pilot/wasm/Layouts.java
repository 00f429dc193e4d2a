package pilot.wasm;

import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.edge.EventLayout;
import pilot.core.edge.RelayMessage;
import pilot.core.node.EventFields;
import pilot.core.node.NodeEvent;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.core.wire.Bytes;

/**
 * The byte layouts that cross the wasm boundary of the node facade, so that a packet, an event or the
 * statistics cross as one byte array instead of strings and many calls (pilot-core.mjs decodes them).
 * Big-endian throughout.
 */
final class Layouts {
    /** Each record of a batch starts with its length (u32). */
    static final int RECORD_PREFIX = 4;
    /**
     * A batch of polled transmits or events stops growing once it holds this many bytes (it always holds
     * at least one record); JavaScript polls again for the rest. Bounds the size of one crossing.
     */
    static final int POLL_BATCH_BYTES = 64 * 1024;
    /** Fixed part of the statistics: see {@link #stats}. */
    static final int STATS_HEADER = 8 + 4 + 4 + 8 + 8 + 8;

    private Layouts() {
    }

    /**
     * Reads {@code ipLen(1) ‖ ip(4|16) ‖ port(2)} at the start of {@code b} (the relay's layout,
     * {@link RelayMessage}); null when malformed.
     */
    static Endpoint endpoint(byte[] b) {
        RelayMessage m = RelayMessage.decode(b).valueOrNull();
        return m == null ? null : m.peer();
    }

    /** {@code ipLen(1) ‖ ip ‖ port(2) ‖ datagram}: the relay's own message layout. */
    static int transmitSize(Transmit t) {
        return RelayMessage.size(t.to(), t.datagram().length);
    }

    /** The longest head of a transmit: {@code ipLen(1) ‖ ip(16) ‖ port(2)}. */
    static final int TRANSMIT_HEAD_MAX = 19;
    /** The fixed part of an event, before its data. */
    static final int EVENT_HEAD = EventLayout.HEADER;

    /** A transmit's head, {@code ipLen ‖ ip ‖ port}, into {@code out} at {@code at} (the datagram follows it); its length. */
    static int transmitHead(Transmit t, byte[] out, int at) {
        return RelayMessage.encode(t.to(), null, 0, 0, out, at);
    }

    static int eventSize(byte[] data) {
        return EventLayout.size(data);
    }

    /** One event's fields as {@link EventLayout} lays them out ({@link #EVENT_HEAD} bytes; its data follows them). */
    static void eventHead(NodeEvent e, byte[] out, int at) {
        EventLayout.encode(EventFields.of(e), null, out, at);
    }

    /**
     * {@code network(2) ‖ pad(2) ‖ node(4) ‖ peers(4) ‖ streams(4) ‖ packetsIn(8) ‖ packetsOut(8) ‖
     * bufferedBytes(8)}, then {@code code(2) ‖ count(8)} for every drop reason with a non-zero count.
     */
    static byte[] stats(PilotNode p) {
        ErrorCode[] codes = ErrorCode.values();
        int reasons = 0;
        for (ErrorCode c : codes) {
            if (p.droppedCount(c) > 0) {
                reasons++;
            }
        }
        byte[] out = new byte[STATS_HEADER + reasons * 10];
        Bytes.put16(out, 0, p.address().network());
        Bytes.put32(out, 4, p.address().node());
        Bytes.put32(out, 8, p.peerCount());
        Bytes.put32(out, 12, p.streamCount());
        Bytes.put64(out, 16, p.packetsIn());
        Bytes.put64(out, 24, p.packetsOut());
        Bytes.put64(out, 32, p.bufferedBytes());
        int at = STATS_HEADER;
        for (ErrorCode c : codes) {
            long n = p.droppedCount(c);
            if (n > 0) {
                Bytes.put16(out, at, c.code());
                Bytes.put64(out, at + 2, n);
                at += 10;
            }
        }
        return out;
    }
}
