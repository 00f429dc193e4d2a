package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * A test peer that serves an echo port the way the reference daemons do where it hurt us (spec G.6,
 * docs/INTEROP.md), written from the spec's description, not from their code:
 * <ul>
 *   <li>an incoming FIN closes <em>both</em> directions: echo data not yet sent is dropped, the answer
 *       is FIN|ACK, and nothing more is sent;</li>
 *   <li>its echo writes 1,024-byte chunks and its sender batches them (Nagle): a write shorter than its
 *       4,096-byte MSS waits until everything in flight is acknowledged, or 40 ms;</li>
 *   <li>its loop blocks while the stream's receive queue is full: every packet arriving then is lost,
 *       including the ACKs its own echo writer waits for;</li>
 *   <li>40 ms / 2-segment delayed ACKs, no SACK, an RTO of 200 ms, RST after 8 transmissions.</li>
 * </ul>
 * One connection at a time; packets out are collected in {@link #out}.
 */
final class RefLikeEchoPeer {
    static final int MSS = 4096;
    static final int ECHO_CHUNK = 1024;
    static final long NAGLE_MS = 40;
    static final long DELAYED_ACK_MS = 40;
    static final long RTO_MS = 200;
    static final int MAX_ATTEMPTS = 8;
    private static final long NONE = Long.MAX_VALUE;

    private record Seg(int seq, byte[] data) {
    }

    final Address me;
    final int port;
    final int queueBytes;
    /** The echo application's speed: bytes it moves from the receive queue to its writer per ms. */
    final int echoBytesPerMs;
    /** Closes (FIN) by itself after echoing this many bytes; -1 never. */
    long finAfter = -1;
    /** Stops echoing (silently, no FIN) after this many bytes; -1 never. */
    long silentAfter = -1;

    final List<Packet> out = new ArrayList<>();
    Address peer;
    int peerPort;
    boolean established;
    boolean closed;
    boolean sentRst;
    boolean timeWait;
    long droppedWhileBlocked;
    long echoDroppedOnFin;
    long echoed;

    private final ByteQueue queue = new ByteQueue();   // receive queue: what the echo app has not consumed
    private final java.util.ArrayDeque<byte[]> unsent = new java.util.ArrayDeque<>(); // echo writes not yet sent
    private final List<Seg> inFlight = new ArrayList<>();
    private int recvNext;
    private int sendNext = 1;
    private int peerWindow = 1;
    private int unackedSegments;
    private long ackDeadline = NONE;
    private long holdingSince = NONE;
    private long rtoDeadline = NONE;
    private int attempts;
    private long lastStep;

    RefLikeEchoPeer(Address me, int port, int queueBytes, int echoBytesPerMs) {
        this.me = me;
        this.port = port;
        this.queueBytes = queueBytes;
        this.echoBytesPerMs = echoBytesPerMs;
    }

    boolean loopBlocked() {
        return queue.size() >= queueBytes;
    }

    void onPacket(Packet p, long now) {
        if (closed && !(timeWait && p.has(Packet.FIN))) {
            return;
        }
        if (loopBlocked()) {
            droppedWhileBlocked++; // the loop is stuck delivering into the full queue
            return;
        }
        if (p.has(Packet.RST)) {
            closed = true;
            return;
        }
        if (p.has(Packet.SYN)) {
            peer = p.src();
            peerPort = p.srcPort();
            recvNext = p.seq() + 1;
            peerWindow = p.window();
            established = true;
            send(Packet.SYN | Packet.ACK, 0, null, now);
            return;
        }
        if (!established) {
            return;
        }
        if (p.has(Packet.ACK)) {
            peerWindow = p.window();
            onAck(p.ack(), now);
        }
        if (p.has(Packet.FIN)) {
            // both directions end here (spec G.6, every reference version)
            if (timeWait) {
                send(Packet.FIN | Packet.ACK, sendNext, null, now); // still answers (spec G.6, Feb-2026)
                return;
            }
            echoDroppedOnFin = queue.size();
            for (byte[] w : unsent) {
                echoDroppedOnFin += w.length;
            }
            recvNext = p.seq() + p.payloadLength() + 1;
            send(Packet.FIN | Packet.ACK, sendNext, null, now);
            closed = true;
            timeWait = true;
            return;
        }
        if (p.payloadLength() > 0 && Sack.decode(p.payload()) == null) {
            if (p.seq() != recvNext) {
                send(Packet.ACK, sendNext, null, now); // no SACK, no out-of-order buffer: ACK what we have
                return;
            }
            queue.write(p.payload(), 0, p.payloadLength());
            recvNext += p.payloadLength();
            if (++unackedSegments >= 2) {
                send(Packet.ACK, sendNext, null, now);
            } else if (ackDeadline == NONE) {
                ackDeadline = now + DELAYED_ACK_MS;
            }
        }
    }

    private void onAck(int ack, long now) {
        boolean progress = false;
        while (!inFlight.isEmpty() && Seq.atOrAfter(ack, inFlight.get(0).seq + inFlight.get(0).data.length)) {
            inFlight.remove(0);
            progress = true;
        }
        if (progress) {
            attempts = 0;
            rtoDeadline = inFlight.isEmpty() ? NONE : now + RTO_MS;
        }
    }

    /** Runs the echo application, timers and the sender up to {@code now}. */
    void step(long now) {
        if (closed) {
            return;
        }
        long budget = (now - lastStep) * echoBytesPerMs;
        lastStep = now;
        while (budget > 0 && !queue.isEmpty() && (finAfter < 0 || echoed < finAfter)
                && (silentAfter < 0 || echoed < silentAfter)) {
            int n = (int) Math.min(Math.min(budget, ECHO_CHUNK), queue.size());
            if (finAfter >= 0) {
                n = (int) Math.min(n, finAfter - echoed);
            }
            if (silentAfter >= 0) {
                n = (int) Math.min(n, silentAfter - echoed);
            }
            unsent.add(queue.read(n)); // one write per chunk
            echoed += n;
            budget -= n;
        }
        if (ackDeadline <= now) {
            send(Packet.ACK, sendNext, null, now);
        }
        if (rtoDeadline <= now && !inFlight.isEmpty()) {
            if (++attempts >= MAX_ATTEMPTS) {
                send(Packet.RST, 0, null, now);
                sentRst = true;
                closed = true;
                return;
            }
            Seg s = inFlight.get(0);
            send(Packet.ACK, s.seq, s.data, now);
            rtoDeadline = now + RTO_MS;
        }
        pump(now);
        if (finAfter >= 0 && echoed >= finAfter && unsent.isEmpty() && inFlight.isEmpty()) {
            send(Packet.FIN, sendNext, null, now);
            closed = true;
            timeWait = true;
        }
    }

    private void pump(long now) {
        while (!unsent.isEmpty()) {
            int flight = 0;
            for (Seg s : inFlight) {
                flight += s.data.length;
            }
            int n = unsent.peek().length;
            if ((peerWindow > 0 && flight + n > peerWindow * (long) MSS) || flight + n > 10 * MSS) {
                return;
            }
            if (n < MSS && !inFlight.isEmpty()) { // Nagle, per write: a short write is never merged with the next
                if (holdingSince == NONE) {
                    holdingSince = now;
                }
                if (now - holdingSince < NAGLE_MS) {
                    return;
                }
            }
            holdingSince = NONE;
            Seg s = new Seg(sendNext, unsent.poll());
            sendNext += n;
            inFlight.add(s);
            if (rtoDeadline == NONE) {
                rtoDeadline = now + RTO_MS;
            }
            send(Packet.ACK, s.seq, s.data, now);
        }
    }

    private void send(int flags, int seq, byte[] data, long now) {
        if ((flags & Packet.ACK) != 0 && (flags & Packet.SYN) == 0) {
            unackedSegments = 0;
            ackDeadline = NONE;
        }
        int ack = (flags & Packet.RST) != 0 ? 0 : recvNext;
        // free slots of its segment queue, 0 when full, which the spec reads as "no limit" (spec G.2):
        // a full reference peer invites the flood that blocks its loop
        int window = Math.min(65535, Math.max(0, queueBytes - queue.size()) / ECHO_CHUNK);
        out.add(new Packet(flags, Packet.PROTO_STREAM, me, peer, port, peerPort, seq, ack, window, data));
    }
}
