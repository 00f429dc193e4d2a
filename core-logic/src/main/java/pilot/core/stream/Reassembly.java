package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;
import pilot.core.wire.Bytes;

/**
 * The peer's side of the byte stream: in-order bytes waiting to be read, out-of-order segments held for
 * later (bounded by {@link StreamConfig#maxOutOfOrder} and the receive buffer), the SACK blocks describing
 * them (spec G.4), the advertised window, and where the peer's FIN sits.
 */
final class Reassembly {
    /** What became of an offered segment. */
    enum Offer {
        /** Wholly before what we already have: our ACK was lost. */
        DUPLICATE,
        /** In order but the reader closed: acknowledged and dropped. */
        DISCARDED,
        /** In order but the buffer is full: dropped, the sender retries. */
        NO_ROOM,
        /** In order: delivered ({@link #lastDelivered} bytes, plus any held segments it joined). */
        IN_ORDER,
        /** Ahead of a hole: held if it fits. */
        OUT_OF_ORDER
    }

    /** A held out-of-order segment (a class, not a record: records pull generated methods into the wasm module). */
    private static final class Held {
        final int seq;
        final byte[] data;

        Held(int seq, byte[] data) {
            this.seq = seq;
            this.data = data;
        }
    }

    private final StreamConfig cfg;
    private final ByteQueue received = new ByteQueue();
    private final List<Held> ooo = new ArrayList<>();
    private int recvNext;
    private int oooBytes;
    private long receivedTotal;   // bytes delivered in order
    private int lastDelivered;
    private boolean finSeen;
    private int finSeq;
    private boolean finConsumed;

    Reassembly(StreamConfig cfg) {
        this.cfg = cfg;
    }

    int recvNext() {
        return recvNext;
    }

    /** The peer's initial sequence number was {@code isn}: its data starts after it. */
    void start(int isn) {
        recvNext = isn + 1;
    }

    Offer offer(int seq, byte[] data, boolean discard) {
        int d = Seq.diff(seq, recvNext);
        if (d < 0) {
            if (d + data.length <= 0) {
                return Offer.DUPLICATE;
            }
            data = Bytes.slice(data, -d, data.length + d); // overlapping retransmission (arraycopy: no byte loop in wasm)
            d = 0;
        }
        if (d == 0 && discard) {
            recvNext += data.length;
            return Offer.DISCARDED;
        }
        if (d == 0) {
            if (received.size() + oooBytes + data.length > cfg.receiveBufferBytes() + cfg.windowUnit()) {
                return Offer.NO_ROOM;
            }
            received.write(data, 0, data.length);
            recvNext += data.length;
            receivedTotal += data.length;
            lastDelivered = data.length;
            drainHeld();
            return Offer.IN_ORDER;
        }
        if (d < cfg.receiveBufferBytes() && ooo.size() < cfg.maxOutOfOrder()
                && received.size() + oooBytes + data.length <= cfg.receiveBufferBytes() + cfg.windowUnit()) {
            hold(seq, data);
        }
        return Offer.OUT_OF_ORDER;
    }

    /** Length of the in-order segment last delivered (after trimming an overlap). */
    int lastDelivered() {
        return lastDelivered;
    }

    private void hold(int seq, byte[] data) {
        int at = 0;
        while (at < ooo.size() && Seq.before(ooo.get(at).seq, seq)) {
            at++;
        }
        if (at < ooo.size() && ooo.get(at).seq == seq) {
            return; // duplicate by seq (spec G.4)
        }
        ooo.add(at, new Held(seq, data));
        oooBytes += data.length;
    }

    private void drainHeld() {
        while (!ooo.isEmpty()) {
            Held o = ooo.get(0);
            int d = Seq.diff(o.seq, recvNext);
            if (d > 0) {
                return;
            }
            ooo.remove(0);
            oooBytes -= o.data.length;
            if (d + o.data.length > 0) {
                received.write(o.data, -d, o.data.length + d);
                recvNext += o.data.length + d;
                receivedTotal += o.data.length + d;
            }
        }
    }

    /** Records the peer's FIN at {@code at}; true the first time. */
    boolean noteFin(int at) {
        if (finSeen) {
            return false;
        }
        finSeen = true;
        finSeq = at;
        return true;
    }

    /** Every byte before the peer's FIN has arrived and the FIN is not consumed yet. */
    boolean finDue() {
        return finSeen && !finConsumed && recvNext == finSeq;
    }

    void consumeFin() {
        recvNext = finSeq + 1;
        finConsumed = true;
    }

    /** The peer's FIN was consumed: its direction is finished. */
    boolean finConsumed() {
        return finConsumed;
    }

    boolean holdsOutOfOrder() {
        return !ooo.isEmpty();
    }

    /** SACK payload for the held segments, merged where contiguous, or null when nothing is held. */
    byte[] sackBlocks() {
        if (ooo.isEmpty()) {
            return null;
        }
        int[] blocks = new int[2 * Sack.MAX_BLOCKS];
        int n = 0;
        for (Held o : ooo) {
            int end = o.seq + o.data.length;
            if (n > 0 && blocks[2 * n - 1] == o.seq) {
                blocks[2 * n - 1] = end; // contiguous: merge
            } else if (n < Sack.MAX_BLOCKS) {
                blocks[2 * n] = o.seq;
                blocks[2 * n + 1] = end;
                n++;
            } else {
                break;
            }
        }
        return Sack.encode(blocks, n);
    }

    /** Free receive space in 4096-byte units, 1..65535: 0 would mean "no limit" (spec G.2). */
    int advertisedWindow() {
        int free = cfg.receiveBufferBytes() - received.size() - oooBytes;
        return Math.max(1, Math.min(65535, free / cfg.windowUnit()));
    }

    int readable() {
        return received.size();
    }

    boolean isEmpty() {
        return received.isEmpty();
    }

    byte[] read(int n) {
        return received.read(n);
    }

    long receivedTotal() {
        return receivedTotal;
    }

    int bufferedBytes() {
        return received.size() + oooBytes;
    }

    /** Drops held segments, and the unread bytes too when {@code dropReceived}. */
    void clear(boolean dropReceived) {
        ooo.clear();
        oooBytes = 0;
        if (dropReceived) {
            received.clear();
        }
    }
}
