package pilot.wasm;

import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
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
    /** Bytes of a polled event before its data: see {@link #event}. */
    static final int EVENT_HEADER = 26;
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
     * Reads {@code ipLen(1) ‖ ip(4|16) ‖ port(2)} at the start of {@code b} (the relay's layout); null when
     * malformed. The rest of {@code b} (from {@link #endpointSize}) is the datagram, if any.
     */
    static Endpoint endpoint(byte[] b) {
        if (b == null || b.length < 1) {
            return null;
        }
        int n = b[0] & 0xFF;
        if ((n != 4 && n != 16) || b.length < 3 + n) {
            return null;
        }
        byte[] ip = new byte[n];
        System.arraycopy(b, 1, ip, 0, n);
        int port = Bytes.u16(b, 1 + n);
        return port == 0 ? null : new Endpoint(ip, port);
    }

    static int endpointSize(byte[] b) {
        return 3 + (b[0] & 0xFF);
    }

    /** {@code ipLen(1) ‖ ip ‖ port(2) ‖ datagram}: the relay's own message layout. */
    static int transmitSize(Transmit t) {
        return 3 + t.to().ip().length + t.datagram().length;
    }

    static int transmit(Transmit t, byte[] out, int at) {
        byte[] ip = t.to().ip();
        byte[] d = t.datagram();
        out[at] = (byte) ip.length;
        System.arraycopy(ip, 0, out, at + 1, ip.length);
        Bytes.put16(out, at + 1 + ip.length, t.to().port());
        System.arraycopy(d, 0, out, at + 3 + ip.length, d.length);
        return 3 + ip.length + d.length;
    }

    static int eventSize(byte[] data) {
        return EVENT_HEADER + (data == null ? 0 : data.length);
    }

    /**
     * {@code kind(1) ‖ flags(1: bit0 peer set) ‖ stream(4) ‖ peerNetwork(2) ‖ peerNode(4) ‖ localPort(2) ‖
     * remotePort(2) ‖ value(8) ‖ error(2) ‖ data}.
     */
    static int event(NodeEvent e, byte[] data, byte[] out, int at) {
        out[at] = (byte) e.kind().code();
        out[at + 1] = (byte) (e.peer() == null ? 0 : 1);
        Bytes.put32(out, at + 2, e.stream());
        Bytes.put16(out, at + 6, e.peer() == null ? 0 : e.peer().network());
        Bytes.put32(out, at + 8, e.peer() == null ? 0 : e.peer().node());
        Bytes.put16(out, at + 12, e.localPort());
        Bytes.put16(out, at + 14, e.remotePort());
        Bytes.put64(out, at + 16, e.value());
        Bytes.put16(out, at + 24, e.error() == null ? 0 : e.error().code());
        int n = data == null ? 0 : data.length;
        if (n > 0) {
            System.arraycopy(data, 0, out, at + EVENT_HEADER, n);
        }
        return EVENT_HEADER + n;
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
