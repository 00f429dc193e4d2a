package pilot.core.node;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.ArrayList;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;

/**
 * What a node has for its host: datagrams to send, events for the application (both bounded queues) and the
 * count of what it dropped, by reason. Every part of the node writes here; the host drains it.
 */
final class NodeOutbox {
    private final NodeConfig cfg;
    private final ArrayDeque<Transmit> transmits = new ArrayDeque<>();
    private final ArrayDeque<NodeEvent> events = new ArrayDeque<>();
    private final EnumMap<ErrorCode, Long> drops = new EnumMap<>(ErrorCode.class);
    /** Frames queued before their ciphertext (deferred AEAD): the queue stops at the first of them. */
    private final ArrayList<byte[]> unsealed = new ArrayList<>();
    /** Frames whose seal failed: skipped when they reach the head of the queue. */
    private final ArrayList<byte[]> cancelled = new ArrayList<>();
    private long packetsOut;

    NodeOutbox(NodeConfig cfg) {
        this.cfg = cfg;
    }

    /** Queues a datagram for the host, within {@code maxTransmits}; without an endpoint it cannot leave. */
    void transmit(Endpoint to, byte[] datagram) {
        if (to == null) {
            drop(ErrorCode.PEER_UNREACHABLE);
            return;
        }
        if (transmits.size() >= cfg.maxTransmits()) {
            drop(ErrorCode.LIMIT_REACHED);
            return;
        }
        packetsOut++;
        transmits.add(new Transmit(to, datagram));
    }

    /**
     * Queues a frame whose ciphertext the host's AEAD has yet to write ({@link #sealed} releases it): it
     * keeps its place, so datagrams leave in the order they were made, as with a synchronous AEAD.
     * False when it was dropped (no endpoint, queue full).
     */
    boolean transmitLater(Endpoint to, byte[] frame) {
        long before = packetsOut;
        transmit(to, frame);
        if (packetsOut == before) {
            return false;
        }
        unsealed.add(frame);
        return true;
    }

    /** The frame's ciphertext is written: it may leave when its turn comes. */
    void sealed(byte[] frame) {
        forget(frame);
    }

    /** The frame could not be sealed: it never leaves. */
    void cancel(byte[] frame, ErrorCode reason) {
        if (forget(frame)) {
            cancelled.add(frame); // leaves the queue when it reaches the head
            packetsOut--;
            drop(reason);
        }
    }

    /** Queues an event; beyond {@code maxEvents} only the kinds a peer can cause at will (datagrams, pongs) are dropped. */
    void event(NodeEvent e) {
        if (events.size() >= cfg.maxEvents()
                && (e instanceof NodeEvent.Datagram || e instanceof NodeEvent.Pong)) {
            drop(ErrorCode.LIMIT_REACHED);
            return;
        }
        events.add(e);
    }

    void drop(ErrorCode reason) {
        drops.merge(reason, 1L, Long::sum);
    }

    Transmit pollTransmit() {
        Transmit t = transmits.peek();
        while (t != null && !cancelled.isEmpty() && indexOf(cancelled, t.datagram()) >= 0) {
            cancelled.remove(indexOf(cancelled, t.datagram()));
            transmits.poll();
            t = transmits.peek();
        }
        if (t != null && !unsealed.isEmpty() && indexOf(unsealed, t.datagram()) >= 0) {
            return null; // its ciphertext is not there yet, and nothing overtakes it
        }
        return transmits.poll();
    }

    /** By identity: the frames are the node's own arrays. */
    private static int indexOf(ArrayList<byte[]> frames, byte[] frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i) == frame) {
                return i;
            }
        }
        return -1;
    }

    private boolean forget(byte[] frame) {
        int i = indexOf(unsealed, frame);
        if (i >= 0) {
            unsealed.remove(i);
        }
        return i >= 0;
    }

    /** Events queued now (for {@link #datagramSince}). */
    int eventsQueued() {
        return events.size();
    }

    /** The newest datagram event among those queued since the queue held {@code before} events, or null. */
    NodeEvent.Datagram datagramSince(int before) {
        java.util.Iterator<NodeEvent> it = events.descendingIterator();
        for (int k = events.size() - before; k > 0 && it.hasNext(); k--) {
            if (it.next() instanceof NodeEvent.Datagram d) {
                return d;
            }
        }
        return null;
    }

    NodeEvent pollEvent() {
        return events.poll();
    }

    long droppedCount(ErrorCode reason) {
        Long n = drops.get(reason);
        return n == null ? 0 : n;
    }

    long packetsOut() {
        return packetsOut;
    }

    /** Bytes held in the two queues: datagrams to send and the payloads of datagram events. */
    long bufferedBytes() {
        long n = 0;
        for (Transmit t : transmits) {
            n += t.datagram().length;
        }
        for (NodeEvent e : events) {
            n += e instanceof NodeEvent.Datagram d ? d.length() : 0;
        }
        return n;
    }
}
