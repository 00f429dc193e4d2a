package pilot.core.stream;

import pilot.core.wire.Packet;

import static pilot.core.stream.TimerTable.Timer;

/**
 * Puts one stream's packets on the wire: retransmissions and new data as the congestion and peer windows
 * allow, and SYN, SYN|ACK, ACK, keepalive and RST. Every packet carries the current receive window; every
 * packet sent restarts the keepalive timer, and every segment sent arms the retransmission timer.
 */
final class Transmitter {
    private final StreamConfig cfg;
    private final Outbox out;
    private final StreamPackets packets;
    private final SendQueue sendQ;
    private final Reassembly recv;
    private final CongestionControl cc;
    private final RttEstimator rtt;
    private final AckPolicy acks;
    private final TimerTable timers;
    private int peerWindow;        // segments; 0 = no limit (spec G.2)
    private int lastAdvertised;

    Transmitter(StreamConfig cfg, Outbox out, StreamPackets packets, SendQueue sendQ, Reassembly recv,
                CongestionControl cc, RttEstimator rtt, AckPolicy acks, TimerTable timers) {
        this.cfg = cfg;
        this.out = out;
        this.packets = packets;
        this.sendQ = sendQ;
        this.recv = recv;
        this.cc = cc;
        this.rtt = rtt;
        this.acks = acks;
        this.timers = timers;
    }

    int peerWindow() {
        return peerWindow;
    }

    /** The peer's advertised receive window, in its units (spec G.2). */
    void peerWindow(int window) {
        peerWindow = window;
    }

    /** The window we last advertised (in {@link StreamConfig#windowUnit} units). */
    int lastAdvertised() {
        return lastAdvertised;
    }

    /** Retransmits segments marked lost, then sends new data while {@code sendingOpen}, as the window allows. */
    void pumpData(long now, boolean sendingOpen) {
        int window = effectiveWindow();
        for (SendQueue.Segment s = sendQ.pollLost(window, cc.episode()); s != null; s = sendQ.pollLost(window, cc.episode())) {
            transmit(s, now);
        }
        while (sendQ.hasUnsent() && sendingOpen) {
            SendQueue.Segment s = sendQ.pollNew(cfg.mss(), window);
            if (s == null) {
                break;
            }
            markData(now);
            transmit(s, now);
        }
    }

    /** Sends (or resends) one segment; data piggybacks the ACK, the FIN goes alone as the reference sends it. */
    void transmit(SendQueue.Segment s, long now) {
        s.markSent(now);
        Packet p = s.fin ? packets.fin(s.seq) : packets.data(s.seq, recv.recvNext(), advertise(), s.data);
        if (!s.fin) {
            acks.onAckSent(timers);
        }
        markSent(now);
        if (!timers.isSet(Timer.RTO)) {
            timers.set(Timer.RTO, now + rtt.rto());
        }
        out.send(p);
    }

    /** Sends our SYN, or our SYN|ACK when {@code accepted}, and arms its retransmission after {@code rto} ms. */
    void syn(long now, long rto, boolean accepted) {
        markSent(now);
        timers.set(Timer.SYN, now + rto);
        out.send(accepted ? packets.synAck(Connection.ISN, recv.recvNext(), advertise())
                : packets.syn(Connection.ISN, advertise()));
    }

    void synAck(long now) {
        markSent(now);
        out.send(packets.synAck(Connection.ISN, recv.recvNext(), advertise()));
    }

    /** A pure ACK, with SACK blocks while out-of-order data is held. */
    void ack(long now) {
        acks.onAckSent(timers);
        markSent(now);
        out.send(packets.ack(sendQ.sendNext(), recv.recvNext(), advertise(), recv.sackBlocks()));
    }

    /** Keepalive probe: pure ACK, window 0 (spec G.8). */
    void keepalive(long now) {
        markSent(now);
        out.send(packets.keepalive(sendQ.sendNext(), recv.recvNext()));
    }

    void rst(long now) {
        out.send(packets.rst());
    }

    /** Data moved (either way): the idle timer restarts. */
    void markData(long now) {
        timers.set(Timer.IDLE, now + cfg.idleTimeoutMillis());
    }

    private void markSent(long now) {
        timers.set(Timer.KEEPALIVE, now + cfg.keepaliveMillis());
    }

    private int advertise() {
        lastAdvertised = recv.advertisedWindow();
        return lastAdvertised;
    }

    private int effectiveWindow() {
        int w = cc.windowBytes();
        if (peerWindow > 0) {
            w = (int) Math.min(w, (long) peerWindow * cfg.mss());
        }
        return Math.max(w, cfg.mss());
    }
}
