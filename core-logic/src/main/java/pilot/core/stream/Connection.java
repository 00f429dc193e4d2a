package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * One reliable stream (spec G) as a step function: packets and application calls go in with the
 * current time, packets and events come out through {@link StreamEvents}, and {@link #nextDeadline()}
 * says when {@link #onTimeout} must run next. Owned by {@link StreamTable}; single-threaded.
 *
 * <p>Choices beyond the reference (docs/SPEC-NOTES.md, "Streams"): half-close (a FIN ends one
 * direction), SACK-driven loss recovery that retransmits every hole rather than one segment per RTO,
 * a receive window advertised in 4096-byte units and never 0 (0 means "no limit" on the wire), and
 * retransmission limits that only count while the peer is silent.
 */
final class Connection {
    /** Initial sequence number: the reference uses 0 and no receiver checks it (spec G.2). */
    static final int ISN = 0;
    private static final long NONE = Long.MAX_VALUE;

    private static final class Segment {
        final int seq;
        final byte[] data;   // empty for the FIN placeholder
        final boolean fin;
        long sentAt;
        int attempts;
        boolean sacked;
        boolean lost;
        int episode = -1;    // recovery episode of the last retransmission

        Segment(int seq, byte[] data, boolean fin) {
            this.seq = seq;
            this.data = data;
            this.fin = fin;
        }

        int length() {
            return fin ? 1 : data.length;
        }

        int end() {
            return seq + length();
        }
    }

    private static final class OutOfOrder {
        final int seq;
        final byte[] data;

        OutOfOrder(int seq, byte[] data) {
            this.seq = seq;
            this.data = data;
        }
    }

    final int id;
    final Address local;
    final int localPort;
    final Address remote;
    final int remotePort;
    private final StreamConfig cfg;
    private final StreamEvents out;
    private StreamState state;

    // send side
    private int sendNext;
    private final ByteQueue unsent = new ByteQueue();
    private final List<Segment> retx = new ArrayList<>();
    private int inFlight;          // bytes of segments neither SACKed nor marked lost
    private int retxBytes;         // all bytes held in retx (for the send-buffer bound)
    private boolean closeRequested;
    private int finSeq;
    private boolean finQueued;
    private boolean finAcked;
    private boolean writeBlocked;
    private int cwnd;
    private int ssthresh;
    private int peerWindow;        // segments; 0 = no limit (spec G.2)
    private int dupAcks;
    private boolean fastRecovery;
    private boolean rtoRecovery;
    private int recoveryPoint;
    private int episode;
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private long rtoDeadline = NONE;
    private long lastHeardFrom;

    // SYN
    private int synRetries;
    private long synRto;
    private long synDeadline = NONE;

    // receive side
    private int recvNext;
    private final ByteQueue received = new ByteQueue();
    private final List<OutOfOrder> ooo = new ArrayList<>();
    private int oooBytes;
    private boolean peerFinSeen;
    private int peerFinSeq;
    private boolean receiveClosed;
    private boolean readableSignalled;
    private int pendingAcks;
    private long ackDeadline = NONE;
    private int lastAdvertised;
    private int largestSegmentSeen; // the peer's segment size as far as we can tell
    private boolean quickAck;       // the peer waited out a delayed ACK: it sends only after each ACK

    // request/reply (CloseMode.AFTER_REPLY): the write side stays open until the reply has ended
    private ReplyPolicy reply;      // null: a plain stream
    private boolean requestDone;    // the application wrote its whole request
    private boolean discardIncoming; // closed FULL: data still arriving is acknowledged and dropped
    private long writtenTotal;      // bytes the application handed us
    private long receivedTotal;     // bytes delivered in order
    private long replyQuietFrom;    // last reply byte, or when our data was last fully acknowledged

    // liveness
    private long lastSent;
    private long lastData;
    private long timeWaitDeadline = NONE;
    private ErrorCode closeReason;

    private Connection(int id, Address local, int localPort, Address remote, int remotePort, StreamConfig cfg,
                       StreamEvents out, long now) {
        this.id = id;
        this.local = local;
        this.localPort = localPort;
        this.remote = remote;
        this.remotePort = remotePort;
        this.cfg = cfg;
        this.out = out;
        this.cwnd = cfg.initialCwndSegments() * cfg.mss();
        this.ssthresh = cfg.maxCwndBytes() / 2;
        this.rto = cfg.initialRtoMillis();
        this.lastSent = now;
        this.lastData = now;
        this.lastHeardFrom = now;
    }

    /** Dialer side (spec G.3): sends SYN and waits in SYN_SENT. */
    static Connection dial(int id, Address local, int localPort, Address remote, int remotePort, StreamConfig cfg,
                           StreamEvents out, long now) {
        Connection c = new Connection(id, local, localPort, remote, remotePort, cfg, out, now);
        c.state = StreamState.SYN_SENT;
        c.sendNext = ISN + 1;
        c.synRto = cfg.synRtoMillis();
        c.sendSyn(now);
        return c;
    }

    /** Listener side (spec G.3 step 5): answers SYN|ACK and is ESTABLISHED at once. */
    static Connection accept(int id, Address local, int localPort, Packet syn, StreamConfig cfg, StreamEvents out, long now) {
        Connection c = new Connection(id, local, localPort, syn.src(), syn.srcPort(), cfg, out, now);
        c.state = StreamState.ESTABLISHED;
        c.recvNext = syn.seq() + 1;
        c.peerWindow = syn.window();
        c.sendNext = ISN + 1;
        c.sendSynAck(now);
        return c;
    }

    StreamState state() {
        return state;
    }

    ErrorCode closeReason() {
        return closeReason;
    }

    // ---------------------------------------------------------------- application calls

    /** Queues up to {@code len} bytes; returns how many fit in the send buffer (0 = wait for writable). */
    int write(byte[] data, int off, int len, long now) {
        if (closeRequested || state == StreamState.CLOSED || state == StreamState.TIME_WAIT
                || state == StreamState.LAST_ACK) {
            return -1;
        }
        int room = Math.min(cfg.sendBufferBytes() - unsent.size() - retxBytes, echoRoom());
        int n = Math.max(0, Math.min(room, len));
        if (n > 0) {
            unsent.write(data, off, n);
            writtenTotal += n;
        }
        if (n < len) {
            writeBlocked = true;
        }
        pump(now);
        checkReply(now);
        return n;
    }

    /**
     * For an echo exchange, bytes we may still write ahead of the echo: the policy's lead, capped by the
     * peer's advertised window (in our segments) so its receive queue never fills.
     */
    private int echoRoom() {
        if (reply == null || !reply.isEcho()) {
            return Integer.MAX_VALUE;
        }
        long lead = reply.maxAheadBytes() > 0 ? reply.maxAheadBytes() : Long.MAX_VALUE;
        if (peerWindow > 0) {
            lead = Math.min(lead, Math.max(cfg.mss(), (long) peerWindow * cfg.mss()));
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, lead - (writtenTotal - receivedTotal)));
    }

    /** Makes this stream a request/reply exchange (pacing applies to writes from now on). */
    void expectReply(ReplyPolicy policy, long now) {
        reply = policy;
        replyQuietFrom = now;
    }

    /** Bytes ready to read. */
    int readable() {
        return received.size();
    }

    /** True once the peer's FIN was consumed and every byte before it was read. */
    boolean atEof() {
        return (receiveClosed || discardIncoming) && received.isEmpty();
    }

    byte[] read(int max, long now) {
        int n = Math.min(max, received.size());
        byte[] data = received.read(n);
        readableSignalled = false;
        if (n > 0 && lastAdvertised <= 1 && advertisedWindow() > 1 && receivingOpen()) {
            sendAck(now); // window update: the peer may be waiting on our minimum window
        }
        return data;
    }

    /** Ends the stream as {@code mode} says (see {@link CloseMode}). */
    void close(CloseMode mode, long now) {
        if (closeRequested || state == StreamState.CLOSED) {
            return;
        }
        switch (mode) {
            case HALF -> close(now);
            case FULL -> {
                discardIncoming = true;
                signalReadable(); // the reader's end is now
                close(now);
            }
            case AFTER_REPLY -> {
                if (reply == null) {
                    reply = new ReplyPolicy(ReplyPolicy.UNKNOWN, 0, 0); // until the peer closes
                }
                requestDone = true;
                replyQuietFrom = Math.max(replyQuietFrom, now);
                checkReply(now);
            }
        }
    }

    /**
     * A request/reply exchange ends when the expected reply is complete (then FULL close), or the peer
     * closed (then FULL close, or REPLY_INCOMPLETE when an expected reply is short).
     */
    private void checkReply(long now) {
        if (reply == null || closeRequested || state == StreamState.CLOSED) {
            return;
        }
        long want = reply.isEcho() ? writtenTotal : reply.expectBytes();
        if (receiveClosed && want >= 0 && receivedTotal < want) {
            abort(now, ErrorCode.REPLY_INCOMPLETE); // the peer closed both directions before replying in full
            return;
        }
        if (!requestDone) {
            return;
        }
        if (receiveClosed || (want >= 0 && receivedTotal >= want)) {
            close(CloseMode.FULL, now);
        }
    }

    /**
     * When a quiet reply of unknown length ends the exchange, or NONE. A reply of expected length never
     * ends by silence: short is short, and the idle timeout or the peer's close decides.
     */
    private long replyQuietDeadline() {
        if (reply == null || !requestDone || closeRequested || reply.quietMillis() == 0 || !retx.isEmpty()
                || !unsent.isEmpty() || reply.expectBytes() != ReplyPolicy.UNKNOWN) {
            return NONE;
        }
        return replyQuietFrom + reply.quietMillis();
    }

    /** Half-close: no more writes; a FIN follows the buffered data (spec G.6). */
    void close(long now) {
        if (closeRequested || state == StreamState.CLOSED) {
            return;
        }
        closeRequested = true;
        if (state == StreamState.SYN_SENT) {
            return; // the FIN follows once established
        }
        pump(now);
    }

    /** Sends RST and drops everything (spec G.7). */
    void abort(long now, ErrorCode reason) {
        if (state == StreamState.CLOSED) {
            return;
        }
        if (state != StreamState.TIME_WAIT) {
            out.send(rst(local, localPort, remote, remotePort), now);
        }
        terminate(reason);
    }

    // ---------------------------------------------------------------- packets from the peer

    void onPacket(Packet p, long now) {
        if (state == StreamState.CLOSED) {
            return;
        }
        lastHeardFrom = now;
        if (p.has(Packet.RST)) {
            terminate(state == StreamState.SYN_SENT ? ErrorCode.REFUSED : ErrorCode.STREAM_RESET);
            return;
        }
        if (p.has(Packet.SYN)) {
            onSyn(p, now);
            return;
        }
        if (state == StreamState.SYN_SENT) {
            return; // nothing else is meaningful before SYN|ACK
        }
        if (p.has(Packet.ACK)) {
            peerWindow = p.window();
            if (p.ack() != 0 || !p.has(Packet.FIN)) {
                onAck(p, now);
            }
        }
        if (state == StreamState.CLOSED) {
            return;
        }
        boolean fin = p.has(Packet.FIN);
        int[] sack = fin || p.payloadLength() == 0 ? null : Sack.decode(p.payload());
        if (sack == null && p.payloadLength() > 0) {
            onData(p.seq(), p.payload(), now);
        }
        if (fin) {
            onFin(p.seq() + p.payloadLength(), now);
        }
        checkReply(now);
        if (state == StreamState.CLOSED) {
            return;
        }
        pump(now);
    }

    private void onSyn(Packet p, long now) {
        if (p.has(Packet.ACK)) {
            if (state == StreamState.SYN_SENT && p.ack() != ISN + 1) {
                // answers some older connection with the same ports (the peer still holds it, e.g. in
                // TIME_WAIT): reset that one, our SYN retransmission then opens a fresh connection
                out.send(rst(local, localPort, remote, remotePort), now);
                return;
            }
            if (state != StreamState.SYN_SENT) {
                sendAck(now); // a duplicate SYN|ACK: our final ACK was lost
                return;
            }
            recvNext = p.seq() + 1;
            peerWindow = p.window();
            synDeadline = NONE;
            state = StreamState.ESTABLISHED;
            lastData = now;
            sendAck(now);
            out.opened(id);
            pump(now);
        } else if (state != StreamState.SYN_SENT) {
            sendSynAck(now); // duplicate SYN: our SYN|ACK was lost (spec G.3 listener step 2)
        }
    }

    private void onAck(Packet p, long now) {
        int ack = p.ack();
        int una = sendUna();
        if (Seq.after(ack, sendNext) || Seq.before(ack, una)) {
            return; // acknowledges nothing we sent, or is older than what we know
        }
        int[] sack = p.payloadLength() > 0 && !p.has(Packet.FIN) ? Sack.decode(p.payload()) : null;
        if (sack != null) {
            markSacked(sack);
        }
        if (ack == una) {
            boolean pure = p.payloadLength() == 0 || sack != null;
            if (pure && !retx.isEmpty() && !p.has(Packet.FIN)) {
                onDuplicateAck();
            }
            return;
        }
        int acked = 0;
        long sample = -1;
        while (!retx.isEmpty() && Seq.atOrAfter(ack, retx.get(0).end())) {
            Segment s = retx.remove(0);
            acked += s.length();
            retxBytes -= s.data.length;
            if (!s.sacked && !s.lost) {
                inFlight -= s.length();
            }
            if (s.attempts == 1 && !s.sacked) {
                sample = now - s.sentAt;
            }
            if (s.fin) {
                finAcked = true;
            }
        }
        dupAcks = 0;
        for (Segment s : retx) {
            s.sacked = false; // the reference clears SACK marks on every new cumulative ACK
        }
        recountInFlight();
        if (sample >= 0) {
            updateRtt(sample);
        }
        if (fastRecovery) {
            if (Seq.atOrAfter(ack, recoveryPoint)) {
                fastRecovery = false;
                cwnd = ssthresh;
            } else if (!retx.isEmpty() && retx.get(0).episode != episode) {
                markLost(retx.get(0)); // partial ACK: the next hole is lost too (NewReno)
            }
        } else {
            growCwnd(acked);
        }
        if (rtoRecovery && Seq.atOrAfter(ack, recoveryPoint)) {
            rtoRecovery = false;
        }
        rtoDeadline = retx.isEmpty() ? NONE : now + rto;
        if (retx.isEmpty()) {
            replyQuietFrom = Math.max(replyQuietFrom, now);
        }
        if (finAcked) {
            onFinAcked();
        }
        if (writeBlocked && unsent.size() + retxBytes < cfg.sendBufferBytes() && echoRoom() > 0) {
            writeBlocked = false;
            out.writable(id);
        }
    }

    private void onDuplicateAck() {
        dupAcks++;
        if (!fastRecovery && dupAcks == 3) {
            fastRecovery = true;
            episode++;
            recoveryPoint = sendNext;
            ssthresh = Math.max(cwnd / 2, 2 * cfg.mss());
            cwnd = ssthresh;
            Segment first = firstUnsacked();
            if (first != null) {
                markLost(first);
            }
        }
        if (fastRecovery) {
            markLostBySack();
        }
    }

    private void markSacked(int[] blocks) {
        for (int b = 0; b + 1 < blocks.length; b += 2) {
            int left = blocks[b];
            int right = blocks[b + 1];
            for (Segment s : retx) {
                if (!s.sacked && Seq.atOrAfter(s.seq, left) && Seq.atOrAfter(right, s.end())) {
                    s.sacked = true;
                }
            }
        }
        recountInFlight();
    }

    /** RFC 6675-style: an unSACKed segment with at least 3 MSS SACKed above it is lost. */
    private void markLostBySack() {
        int above = 0;
        for (int i = retx.size() - 1; i >= 0; i--) {
            Segment s = retx.get(i);
            if (s.sacked) {
                above += s.length();
            } else if (above >= 3 * cfg.mss() && !s.lost && s.episode != episode) {
                markLost(s);
            }
        }
    }

    private void markLost(Segment s) {
        s.lost = true;
        recountInFlight();
    }

    private void onData(int seq, byte[] data, long now) {
        if (!receivingOpen()) {
            return;
        }
        int d = Seq.diff(seq, recvNext);
        if (d < 0) {
            if (d + data.length <= 0) {
                sendAck(now); // pure duplicate: our ACK was lost
                return;
            }
            data = java.util.Arrays.copyOfRange(data, -d, data.length); // overlapping retransmission
            seq = recvNext;
            d = 0;
        }
        if (d == 0 && discardIncoming) {
            recvNext += data.length; // closed FULL: acknowledged so the peer stops sending, then dropped
            lastData = now;
            sendAck(now);
            return;
        }
        if (d == 0) {
            if (received.size() + oooBytes + data.length > cfg.receiveBufferBytes() + cfg.windowUnit()) {
                sendAck(now); // no room: drop, re-advertise; the sender retries
                return;
            }
            received.write(data, 0, data.length);
            recvNext += data.length;
            receivedTotal += data.length;
            replyQuietFrom = now;
            lastData = now;
            drainOutOfOrder();
            if (writeBlocked && echoRoom() > 0 && unsent.size() + retxBytes < cfg.sendBufferBytes()) {
                writeBlocked = false; // the echo caught up: the paced writer may go on
                out.writable(id);
            }
            completeFinIfDue();
            signalReadable();
            // Quick ACKs, as TCP stacks do: a segment shorter than the peer's full segments ends a
            // write (nothing queued behind it, PSH-like), and a peer that already waited out one
            // delayed ACK is a Nagle or stop-and-wait sender; both wait for this ACK before sending more.
            boolean endsWrite = data.length < Math.max(largestSegmentSeen, cfg.mss());
            if (ackDeadline != NONE && now - (ackDeadline - cfg.delayedAckMillis()) >= cfg.delayedAckMillis() / 2) {
                quickAck = true; // this segment came only after half the ACK delay: the sender was waiting on us
            }
            largestSegmentSeen = Math.max(largestSegmentSeen, data.length);
            if (!ooo.isEmpty() || ++pendingAcks >= cfg.ackEverySegments() || endsWrite || quickAck) {
                sendAck(now);
            } else if (ackDeadline == NONE) {
                ackDeadline = now + cfg.delayedAckMillis();
            }
            return;
        }
        if (d < cfg.receiveBufferBytes() && ooo.size() < cfg.maxOutOfOrder()
                && received.size() + oooBytes + data.length <= cfg.receiveBufferBytes() + cfg.windowUnit()) {
            insertOutOfOrder(seq, data);
        }
        sendAck(now); // out of order: ACK at once with SACK (spec G.4)
    }

    private void insertOutOfOrder(int seq, byte[] data) {
        int at = 0;
        while (at < ooo.size() && Seq.before(ooo.get(at).seq, seq)) {
            at++;
        }
        if (at < ooo.size() && ooo.get(at).seq == seq) {
            return; // duplicate by seq (spec G.4)
        }
        ooo.add(at, new OutOfOrder(seq, data));
        oooBytes += data.length;
    }

    private void drainOutOfOrder() {
        while (!ooo.isEmpty()) {
            OutOfOrder o = ooo.get(0);
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

    private void onFin(int finAt, long now) {
        if (state == StreamState.TIME_WAIT) {
            sendAck(now); // modern: plain ACK, no timer refresh (ends the Feb-2026 FIN echo loop)
            return;
        }
        if (!peerFinSeen) {
            peerFinSeen = true;
            peerFinSeq = finAt;
            lastData = now;
        }
        completeFinIfDue();
        sendAck(now);
    }

    /** The peer's FIN is consumed once every byte before it has arrived. */
    private void completeFinIfDue() {
        if (!peerFinSeen || receiveClosed || recvNext != peerFinSeq) {
            return;
        }
        recvNext = peerFinSeq + 1;
        receiveClosed = true;
        signalReadable();
        if (state == StreamState.ESTABLISHED) {
            state = StreamState.CLOSE_WAIT;
        } else if (state == StreamState.FIN_WAIT) {
            state = finAcked ? StreamState.TIME_WAIT : StreamState.LAST_ACK;
        }
    }

    private void onFinAcked() {
        if (state == StreamState.FIN_WAIT && receiveClosed) {
            state = StreamState.TIME_WAIT;
        } else if (state == StreamState.LAST_ACK) {
            state = StreamState.TIME_WAIT;
        }
    }

    // ---------------------------------------------------------------- sending

    /** Sends lost segments, then new data, then the FIN, as the window allows. */
    private void pump(long now) {
        if (state == StreamState.SYN_SENT || state == StreamState.CLOSED) {
            return;
        }
        int window = effectiveWindow();
        for (Segment s : retx) {
            if (inFlight >= window) {
                break;
            }
            if (s.lost) {
                s.lost = false;
                s.episode = episode;
                inFlight += s.length();
                transmit(s, now);
            }
        }
        while (!unsent.isEmpty() && sendingOpen()) {
            int n = Math.min(cfg.mss(), unsent.size());
            if (inFlight > 0 && inFlight + n > window) {
                break;
            }
            if (n >= 5 && Sack.startsLikeSack(unsent.peek(0, 5), 0, n)) {
                n = 1; // never let a data segment parse as SACK (spec G.4 ambiguity): send its first byte alone
            }
            Segment s = new Segment(sendNext, unsent.read(n), false);
            sendNext += n;
            retx.add(s);
            retxBytes += n;
            inFlight += n;
            lastData = now;
            transmit(s, now);
        }
        if (closeRequested && unsent.isEmpty() && !finQueued && sendingOpen()) {
            finQueued = true;
            finSeq = sendNext;
            Segment f = new Segment(sendNext, new byte[0], true);
            sendNext += 1; // modern: the FIN consumes one sequence number (spec G.6)
            retx.add(f);
            inFlight += 1;
            lastData = now;
            state = state == StreamState.CLOSE_WAIT ? StreamState.LAST_ACK : StreamState.FIN_WAIT;
            transmit(f, now);
        }
    }

    private void transmit(Segment s, long now) {
        s.sentAt = now;
        s.attempts++;
        Packet p = s.fin
                ? new Packet(Packet.FIN, Packet.PROTO_STREAM, local, remote, localPort, remotePort, s.seq, 0, 0, null)
                : new Packet(Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, s.seq, recvNext,
                advertise(), s.data);
        if (!s.fin) {
            pendingAcks = 0; // data piggybacks the ACK
            ackDeadline = NONE;
        }
        lastSent = now;
        if (rtoDeadline == NONE) {
            rtoDeadline = now + rto;
        }
        out.send(p, now);
    }

    private void sendSyn(long now) {
        lastSent = now;
        synDeadline = now + synRto;
        out.send(new Packet(Packet.SYN, Packet.PROTO_STREAM, local, remote, localPort, remotePort, ISN, 0, advertise(), null), now);
    }

    private void sendSynAck(long now) {
        lastSent = now;
        out.send(new Packet(Packet.SYN | Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, ISN, recvNext,
                advertise(), null), now);
    }

    /** A pure ACK, with SACK blocks while out-of-order data is held. */
    private void sendAck(long now) {
        pendingAcks = 0;
        ackDeadline = NONE;
        lastSent = now;
        out.send(new Packet(Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, sendNext, recvNext,
                advertise(), ooo.isEmpty() ? null : sackBlocks()), now);
    }

    private byte[] sackBlocks() {
        int[] blocks = new int[2 * Sack.MAX_BLOCKS];
        int n = 0;
        for (OutOfOrder o : ooo) {
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

    static Packet rst(Address local, int localPort, Address remote, int remotePort) {
        return new Packet(Packet.RST, Packet.PROTO_STREAM, local, remote, localPort, remotePort, 0, 0, 0, null);
    }

    private int advertise() {
        lastAdvertised = advertisedWindow();
        return lastAdvertised;
    }

    /** Free receive space in 4096-byte units, 1..65535: 0 would mean "no limit" (spec G.2). */
    int advertisedWindow() {
        int free = cfg.receiveBufferBytes() - received.size() - oooBytes;
        return Math.max(1, Math.min(65535, free / cfg.windowUnit()));
    }

    private int effectiveWindow() {
        int w = cwnd;
        if (peerWindow > 0) {
            long peer = (long) peerWindow * cfg.mss();
            w = (int) Math.min(w, peer);
        }
        return Math.max(w, cfg.mss());
    }

    private void growCwnd(int acked) {
        if (cwnd < ssthresh) {
            cwnd += acked;
        } else {
            cwnd += Math.max(1, (int) ((long) cfg.mss() * acked / cwnd));
        }
        cwnd = Math.min(cwnd, cfg.maxCwndBytes());
    }

    private void updateRtt(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        rto = Math.max(cfg.minRtoMillis(), Math.min(cfg.maxRtoMillis(), srtt + Math.max(cfg.clockGranularityMillis(), 4 * rttvar)));
    }

    private void recountInFlight() {
        int n = 0;
        for (Segment s : retx) {
            if (!s.sacked && !s.lost) {
                n += s.length();
            }
        }
        inFlight = n;
    }

    private Segment firstUnsacked() {
        for (Segment s : retx) {
            if (!s.sacked) {
                return s;
            }
        }
        return null;
    }

    private int sendUna() {
        return retx.isEmpty() ? sendNext : retx.get(0).seq;
    }

    private boolean sendingOpen() {
        return state == StreamState.ESTABLISHED || state == StreamState.CLOSE_WAIT;
    }

    private boolean receivingOpen() {
        return !receiveClosed && (state == StreamState.ESTABLISHED || state == StreamState.FIN_WAIT);
    }

    private void signalReadable() {
        if (!readableSignalled) {
            readableSignalled = true;
            out.readable(id);
        }
    }

    private void terminate(ErrorCode reason) {
        if (state == StreamState.CLOSED) {
            return;
        }
        boolean wasDone = state == StreamState.TIME_WAIT;
        state = StreamState.CLOSED;
        closeReason = reason;
        retx.clear();
        unsent.clear();
        ooo.clear();
        retxBytes = 0;
        inFlight = 0;
        oooBytes = 0;
        if (reason != null) {
            received.clear();
        }
        rtoDeadline = NONE;
        ackDeadline = NONE;
        synDeadline = NONE;
        timeWaitDeadline = NONE;
        if (!wasDone) {
            out.closed(id, reason);
        }
    }

    // ---------------------------------------------------------------- timers

    long nextDeadline() {
        long d = Math.min(Math.min(rtoDeadline, ackDeadline), Math.min(synDeadline, timeWaitDeadline));
        d = Math.min(d, replyQuietDeadline());
        if (state == StreamState.ESTABLISHED || state == StreamState.CLOSE_WAIT || state == StreamState.FIN_WAIT) {
            d = Math.min(d, Math.min(lastSent + cfg.keepaliveMillis(), lastData + cfg.idleTimeoutMillis()));
        }
        return d;
    }

    void onTimeout(long now) {
        if (state == StreamState.CLOSED) {
            return;
        }
        if (synDeadline <= now) {
            onSynTimeout(now);
            return;
        }
        if (timeWaitDeadline <= now) {
            terminate(null);
            return;
        }
        if (replyQuietDeadline() <= now) {
            close(CloseMode.FULL, now); // the reply fell quiet: it has ended
        }
        if (ackDeadline <= now) {
            quickAck = true; // the peer sent nothing more within the delay: it is waiting for this ACK
            sendAck(now);
        }
        if (rtoDeadline <= now) {
            onRto(now);
            if (state == StreamState.CLOSED) {
                return;
            }
        }
        if (state == StreamState.ESTABLISHED || state == StreamState.CLOSE_WAIT || state == StreamState.FIN_WAIT) {
            if (lastData + cfg.idleTimeoutMillis() <= now) {
                abort(now, ErrorCode.TIMED_OUT); // no data either way for the idle timeout (spec G.8)
                return;
            }
            if (lastSent + cfg.keepaliveMillis() <= now) {
                lastSent = now; // keepalive probe: pure ACK, window 0 (spec G.8)
                out.send(new Packet(Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, sendNext,
                        recvNext, 0, null), now);
            }
        }
        if (state == StreamState.TIME_WAIT && timeWaitDeadline == NONE) {
            timeWaitDeadline = now + cfg.timeWaitMillis();
        }
    }

    /** Called by the owner after every step, so TIME_WAIT entered on a packet starts its timer. */
    void settle(long now) {
        if (state == StreamState.TIME_WAIT && timeWaitDeadline == NONE) {
            timeWaitDeadline = now + cfg.timeWaitMillis();
            rtoDeadline = NONE;
            retx.clear();
            retxBytes = 0;
            inFlight = 0;
            out.closed(id, null);
        }
    }

    private void onSynTimeout(long now) {
        if (synRetries >= cfg.synRetries()) {
            terminate(ErrorCode.TIMED_OUT); // "dial timeout" (spec G.3 step 3)
            return;
        }
        synRetries++;
        synRto = Math.min(synRto * 2, cfg.synMaxRtoMillis());
        sendSyn(now);
    }

    private void onRto(long now) {
        if (retx.isEmpty()) {
            rtoDeadline = NONE;
            return;
        }
        Segment first = retx.get(0);
        // Give up only while the peer is silent: a live peer with a full buffer keeps ACKing.
        if (first.attempts >= cfg.maxAttempts() && lastHeardFrom <= first.sentAt) {
            abort(now, ErrorCode.TIMED_OUT);
            return;
        }
        if (!rtoRecovery) {
            rtoRecovery = true;
            ssthresh = Math.max(cwnd / 2, 2 * cfg.mss());
            recoveryPoint = sendNext;
        }
        fastRecovery = false;
        episode++;
        cwnd = cfg.initialCwndSegments() * cfg.mss();
        rto = Math.min(rto * 2, cfg.maxRtoMillis());
        for (Segment s : retx) {
            if (!s.sacked) {
                s.lost = true;
            }
        }
        if (first.sacked) {
            first.sacked = false;
            first.lost = true; // the receiver may have dropped it after all
        }
        recountInFlight();
        rtoDeadline = now + rto;
        pump(now);
    }

    /** Sends a pending delayed ACK now (the owner is about to stop). */
    void flushAck(long now) {
        if (ackDeadline != NONE && state != StreamState.CLOSED) {
            sendAck(now);
        }
    }

    /**
     * Nothing of ours is still on its way: no data or FIN unacknowledged, no ACK owed, and a close we
     * began has finished. A stream the application left open with nothing in flight counts as settled.
     */
    boolean settled() {
        return switch (state) {
            case CLOSED, TIME_WAIT -> true;
            // our FIN went out: wait for its ACK and the peer's FIN, which we must acknowledge
            case SYN_SENT, FIN_WAIT, LAST_ACK -> false;
            default -> retx.isEmpty() && unsent.isEmpty() && ackDeadline == NONE && !closeRequested;
        };
    }

    /** Bytes of buffers this stream holds (memory accounting for the bound checks). */
    int bufferedBytes() {
        return unsent.size() + retxBytes + received.size() + oooBytes;
    }
}
