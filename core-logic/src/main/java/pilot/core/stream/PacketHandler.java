package pilot.core.stream;

import pilot.core.ErrorCode;
import pilot.core.wire.Packet;

import static pilot.core.stream.StreamMachine.Input;
import static pilot.core.stream.TimerTable.Timer;

/**
 * Applies one packet from the peer to its connection (spec G.3-G.7): RST ends it, SYN and SYN|ACK open it,
 * an ACK (with SACK blocks) acknowledges our data, data goes to reassembly, a FIN ends the peer's direction.
 * State changes go through the connection's {@link StreamMachine}.
 */
final class PacketHandler {
    private final Connection c;

    PacketHandler(Connection c) {
        this.c = c;
    }

    void onPacket(Packet p, long now) {
        if (c.state() == StreamState.CLOSED) {
            return;
        }
        c.lastHeardFrom = now;
        if (!p.has(Packet.SYN) || p.has(Packet.ACK)) {
            c.peerAnswered(); // a repeated SYN is no answer to our SYN|ACK
        }
        if (p.has(Packet.RST)) {
            c.terminate(c.state() == StreamState.SYN_SENT ? ErrorCode.REFUSED : ErrorCode.STREAM_RESET, now);
            return;
        }
        if (p.has(Packet.SYN)) {
            onSyn(p, now);
            return;
        }
        if (c.state() == StreamState.SYN_SENT) {
            return; // nothing else is meaningful before SYN|ACK
        }
        boolean fin = p.has(Packet.FIN);
        // one copy of the payload per packet, read for SACK blocks and then taken as data (it was three)
        byte[] payload = p.payloadLength() == 0 ? null : p.payload();
        int[] sack = fin || payload == null ? null : Sack.decode(payload);
        if (p.has(Packet.ACK)) {
            boolean windowOpened = opens(c.tx.peerWindow(), p.window());
            c.tx.peerWindow(p.window());
            if (p.ack() != 0 || !fin) {
                onAck(p, sack, windowOpened, now);
            }
        }
        if (c.state() == StreamState.CLOSED) {
            return;
        }
        if (sack == null && payload != null) {
            onData(p.seq(), payload, now);
        }
        if (fin) {
            onFin(p.seq() + p.payloadLength(), now);
        }
        c.shutdown.checkReply(now);
        if (c.state() == StreamState.CLOSED) {
            return;
        }
        c.pump(now);
    }

    private void onSyn(Packet p, long now) {
        boolean dialling = c.state() == StreamState.SYN_SENT;
        if (!p.has(Packet.ACK)) {
            if (!dialling) {
                c.tx.synAck(now); // duplicate SYN: our SYN|ACK was lost (spec G.3 listener step 2)
            }
        } else if (dialling && p.ack() != Connection.ISN + 1) {
            // answers some older connection with the same ports (the peer still holds it, e.g. in
            // TIME_WAIT): reset that one, our SYN retransmission then opens a fresh connection
            c.tx.rst(now);
        } else if (!dialling) {
            c.tx.ack(now); // a duplicate SYN|ACK: our final ACK was lost
        } else {
            c.recv.start(p.seq());
            c.tx.peerWindow(p.window());
            c.machine.fire(Input.SYN_ACKED, now);
            c.pump(now);
        }
    }

    /** A window of {@code after} slots offers more than {@code before} did (0 is "no limit", spec G.2). */
    private static boolean opens(int before, int after) {
        return before != 0 && (after == 0 || after > before);
    }

    /**
     * {@code sack}: the packet's SACK blocks, or null when its payload is not a SACK list.
     * {@code windowOpened}: the packet advertised a larger window than the one before it.
     */
    private void onAck(Packet p, int[] sack, boolean windowOpened, long now) {
        SendQueue q = c.sendQ;
        int ack = p.ack();
        int una = q.una();
        if (Seq.after(ack, q.sendNext()) || Seq.before(ack, una)) {
            return; // acknowledges nothing we sent, or is older than what we know
        }
        if (sack != null) {
            q.markSacked(sack);
        }
        if (ack == una) {
            boolean pure = p.payloadLength() == 0 || sack != null;
            // a window update is no sign of loss (RFC 5681's duplicate keeps the window); SACK blocks are
            if (pure && q.hasUnacked() && !p.has(Packet.FIN) && (sack != null || !windowOpened)) {
                c.cc.onDuplicateAck(q);
            }
            return;
        }
        long rttSample = q.acknowledge(ack, now);
        if (rttSample >= 0) {
            c.rtt.onSample(rttSample);
        }
        c.cc.onNewAck(ack, q.lastAckedBytes(), q);
        if (q.hasUnacked()) {
            c.timers.set(Timer.RTO, now + c.rtt.rto());
        } else {
            c.timers.cancel(Timer.RTO);
            c.reply.allAcked(now);
        }
        c.signalWritableIfRoom();
        if (q.finAcked()) {
            c.machine.fire(Input.FIN_ACKED, now);
        }
    }

    private void onData(int seq, byte[] data, long now) {
        if (!c.receivingOpen()) {
            return;
        }
        Reassembly.Offer offer = c.recv.offer(seq, data, c.discardIncoming);
        if (offer == Reassembly.Offer.IN_ORDER) {
            c.reply.heard(now);
            c.tx.markData(now);
            c.signalWritableIfRoom(); // an echo that caught up lets the paced writer go on
            completeFinIfDue(now);
            c.signalReadable();
            if (c.acks.ackNow(c.recv.lastDelivered(), c.recv.holdsOutOfOrder(), c.timers, now)) {
                c.tx.ack(now);
            }
            return;
        }
        if (offer == Reassembly.Offer.DISCARDED) {
            c.tx.markData(now); // closed FULL: acknowledged so the peer stops sending, then dropped
        }
        c.tx.ack(now); // DISCARDED, or a lost ACK (DUPLICATE), a full buffer (NO_ROOM), a hole (OUT_OF_ORDER, SACK)
    }

    private void onFin(int finAt, long now) {
        if (c.state() == StreamState.TIME_WAIT) {
            c.tx.ack(now); // modern: plain ACK, no timer refresh (ends the Feb-2026 FIN echo loop)
            return;
        }
        if (c.recv.noteFin(finAt)) {
            c.tx.markData(now);
        }
        completeFinIfDue(now);
        c.tx.ack(now);
    }

    /** The peer's FIN is consumed once every byte before it has arrived. */
    private void completeFinIfDue(long now) {
        if (!c.recv.finDue()) {
            return;
        }
        c.recv.consumeFin();
        c.signalReadable();
        if (c.machine.fire(Input.PEER_FIN, now) && c.sendQ.finAcked()) {
            c.machine.fire(Input.FIN_ACKED, now); // both FINs done at once
        }
    }
}
