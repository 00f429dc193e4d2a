package pilot.core.stream;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

import static pilot.core.stream.StreamMachine.Input;
import static pilot.core.stream.TimerTable.Timer;

/**
 * One reliable stream (spec G) as a step function: packets and application calls go in with the current
 * time, packets and events queue in the table's {@link Outbox}, and {@link #nextDeadline()} says when
 * {@link #onTimeout} must run next. Owned by {@link StreamTable}; single-threaded.
 *
 * <p>This class holds the parts and the application calls, and runs the entry actions of
 * {@link StreamMachine} through {@link StateEntry}; inbound packets are {@link PacketHandler}'s, timers {@link TimeoutHandler}'s,
 * outbound packets {@link Transmitter}'s. Choices beyond the reference (docs/SPEC-NOTES.md, "Streams"):
 * half-close (a FIN ends one direction), SACK-driven loss recovery that retransmits every hole rather
 * than one segment per RTO, a receive window advertised in 4096-byte units and never 0 (0 means "no
 * limit" on the wire), and retransmission limits that only count while the peer is silent.
 */
final class Connection {
    /** Initial sequence number: the reference uses 0 and no receiver checks it (spec G.2). */
    static final int ISN = 0;

    final int id;
    final Address local;
    final int localPort;
    final Address remote;
    final int remotePort;
    private final StreamConfig cfg;
    final Outbox out;
    final StreamMachine machine;
    final SendQueue sendQ = new SendQueue(ISN + 1);
    final Reassembly recv;
    final RttEstimator rtt;
    final CongestionControl cc;
    final AckPolicy acks;
    final ReplyTracker reply = new ReplyTracker();
    final TimerTable timers = new TimerTable();
    final Transmitter tx;
    private final PacketHandler inbound = new PacketHandler(this);
    private final TimeoutHandler timeouts;
    final Shutdown shutdown = new Shutdown(this);

    boolean discardIncoming;        // closed FULL: data still arriving is acknowledged and dropped
    long lastHeardFrom;
    /** Accepted, and the peer has sent nothing but its SYN since: it holds a place it may never use. */
    private boolean halfOpen;
    private boolean writeBlocked;
    private boolean readableSignalled;
    private ErrorCode closeReason;

    private Connection(int id, Address local, int localPort, Address remote, int remotePort, StreamConfig cfg,
                       Outbox out, StreamState initial, long now) {
        this.id = id;
        this.local = local;
        this.localPort = localPort;
        this.remote = remote;
        this.remotePort = remotePort;
        this.cfg = cfg;
        this.out = out;
        this.machine = new StreamMachine(initial, new StateEntry(this, cfg));
        this.recv = new Reassembly(cfg);
        this.rtt = new RttEstimator(cfg);
        this.cc = new NewRenoSack(cfg);
        this.acks = new AckPolicy(cfg);
        this.tx = new Transmitter(cfg, out, new StreamPackets(local, localPort, remote, remotePort), sendQ, recv, cc,
                rtt, acks, timers);
        this.timeouts = new TimeoutHandler(this, cfg);
        this.tx.markData(now);
        this.timers.set(Timer.KEEPALIVE, now + cfg.keepaliveMillis());
        this.lastHeardFrom = now;
    }

    /** Dialer side (spec G.3): sends SYN and waits in SYN_SENT. */
    static Connection dial(int id, Address local, int localPort, Address remote, int remotePort, StreamConfig cfg,
                           Outbox out, long now) {
        Connection c = new Connection(id, local, localPort, remote, remotePort, cfg, out, StreamState.SYN_SENT, now);
        c.tx.syn(now, c.timeouts.synRto(), false);
        return c;
    }

    /**
     * Listener side (spec G.3 step 5): answers SYN|ACK and is ESTABLISHED at once, but half-open until the
     * peer answers: forgotten at {@code halfOpenDeadline} if it never does ({@link #peerAnswered}). Beyond the
     * reference, the SYN|ACK goes again while half-open ({@link TimeoutHandler#SYN_ACK_RESENDS}): a dialer whose
     * final ACK was lost answers it, and a quiet exchange outlives the deadline.
     */
    static Connection accept(int id, Address local, int localPort, Packet syn, StreamConfig cfg, Outbox out, long now,
                             long halfOpenDeadline) {
        Connection c = new Connection(id, local, localPort, syn.src(), syn.srcPort(), cfg, out, StreamState.ESTABLISHED, now);
        c.halfOpen = true;
        c.timers.set(Timer.HALF_OPEN, halfOpenDeadline);
        c.recv.start(syn.seq());
        c.tx.peerWindow(syn.window());
        c.tx.syn(now, c.timeouts.synRto(), true);
        return c;
    }

    StreamState state() {
        return machine.state();
    }

    boolean halfOpen() {
        return halfOpen;
    }

    /** The peer sent something besides its SYN (an ACK, data, a FIN): the stream is no longer half-open. */
    void peerAnswered() {
        if (halfOpen) {
            halfOpen = false;
            timers.cancel(Timer.HALF_OPEN);
            timers.cancel(Timer.SYN); // no more SYN|ACKs
        }
    }

    ErrorCode closeReason() {
        return closeReason;
    }

    // ---------------------------------------------------------------- application calls

    /** Queues up to {@code len} bytes; returns how many fit in the send buffer (0 = wait for writable), -1 if closed. */
    int write(byte[] data, int off, int len, long now) {
        StreamState s = state();
        if (shutdown.requested() || s == StreamState.CLOSED || s == StreamState.TIME_WAIT || s == StreamState.LAST_ACK) {
            return -1;
        }
        int room = Math.min(cfg.sendBufferBytes() - sendQ.bufferedBytes(), echoRoom());
        int n = Math.max(0, Math.min(room, len));
        if (n > 0) {
            sendQ.buffer(data, off, n);
            reply.wrote(n);
        }
        if (n < len) {
            writeBlocked = true;
        }
        pump(now);
        shutdown.checkReply(now);
        return n;
    }

    /** Makes this stream a request/reply exchange (pacing applies to writes from now on). */
    void expectReply(ReplyPolicy policy, long now) {
        reply.expect(policy, now);
    }

    /** Bytes ready to read. */
    int readable() {
        return recv.readable();
    }

    /** True once the peer's FIN was consumed and every byte before it was read. */
    boolean atEof() {
        return (recv.finConsumed() || discardIncoming) && recv.isEmpty();
    }

    byte[] read(int max, long now) {
        int n = Math.min(max, recv.readable());
        byte[] data = recv.read(n);
        readableSignalled = false;
        if (n > 0 && tx.lastAdvertised() <= 1 && recv.advertisedWindow() > 1 && receivingOpen()) {
            tx.ack(now); // window update: the peer may be waiting on our minimum window
        }
        return data;
    }

    /** Ends the stream as {@code mode} says (see {@link CloseMode}). */
    void close(CloseMode mode, long now) {
        shutdown.close(mode, now);
    }

    /** Half-close: no more writes; a FIN follows the buffered data (spec G.6). */
    void close(long now) {
        shutdown.close(now);
    }

    /** Sends RST and drops everything (spec G.7). */
    void abort(long now, ErrorCode reason) {
        shutdown.abort(now, reason);
    }

    void onPacket(Packet p, long now) {
        inbound.onPacket(p, now);
    }

    long nextDeadline() {
        return timeouts.nextDeadline();
    }

    void onTimeout(long now) {
        timeouts.onTimeout(now);
    }

    /** Sends a pending delayed ACK now (the owner is about to stop). */
    void flushAck(long now) {
        if (timers.isSet(Timer.DELAYED_ACK) && state() != StreamState.CLOSED) {
            tx.ack(now);
        }
    }

    /** Nothing of ours is still on its way (see {@link Shutdown#settled}). */
    boolean settled() {
        return shutdown.settled();
    }

    /** Bytes of buffers this stream holds (memory accounting for the bound checks). */
    int bufferedBytes() {
        return sendQ.bufferedBytes() + recv.bufferedBytes();
    }

    // ---------------------------------------------------------------- shared with the handlers

    /** Sends lost segments, then new data, then the FIN, as the window allows. */
    void pump(long now) {
        if (state() == StreamState.SYN_SENT || state() == StreamState.CLOSED) {
            return;
        }
        tx.pumpData(now, sendingOpen());
        if (shutdown.requested() && !sendQ.hasUnsent() && !sendQ.finQueued() && sendingOpen()) {
            SendQueue.Segment f = sendQ.queueFin();
            tx.markData(now);
            machine.fire(Input.FIN_SENT, now);
            tx.transmit(f, now);
        }
    }

    private boolean sendingOpen() {
        return state() == StreamState.ESTABLISHED || state() == StreamState.CLOSE_WAIT;
    }

    boolean receivingOpen() {
        return !recv.finConsumed() && (state() == StreamState.ESTABLISHED || state() == StreamState.FIN_WAIT);
    }

    /** Data may move and the idle and keepalive timers count. */
    boolean live() {
        StreamState s = state();
        return s == StreamState.ESTABLISHED || s == StreamState.CLOSE_WAIT || s == StreamState.FIN_WAIT;
    }

    void refreshReplyQuiet() {
        timers.set(Timer.REPLY_QUIET, reply.quietDeadline(shutdown.requested(), !sendQ.hasUnacked() && !sendQ.hasUnsent()));
    }

    void signalReadable() {
        if (!readableSignalled) {
            readableSignalled = true;
            out.readable(id);
        }
    }

    void signalWritableIfRoom() {
        if (writeBlocked && sendQ.bufferedBytes() < cfg.sendBufferBytes() && echoRoom() > 0) {
            writeBlocked = false;
            out.writable(id);
        }
    }

    void terminate(ErrorCode reason, long now) {
        if (state() != StreamState.CLOSED) {
            closeReason = reason;
            machine.fire(Input.TERMINATE, now);
        }
    }

    private int echoRoom() {
        return reply.echoRoom(tx.peerWindow(), cfg.mss(), recv.receivedTotal());
    }
}
