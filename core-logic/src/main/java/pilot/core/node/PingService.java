package pilot.core.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;

/**
 * Control-protocol ping (spec H.2): the request and pong packets, the pings we wait on with their
 * deadlines, and the events that end them (PONG, PING_TIMEOUT). Returns events instead of calling back;
 * the node queues them.
 */
final class PingService {
    private record Ping(Address peer, int srcPort, long sentAt, long deadline) {
    }

    private final Map<Integer, Ping> pings = new LinkedHashMap<>();
    private int nextId = 1;

    /** Allocates the next ping id (ids count up even when the send then fails). */
    int nextId() {
        return nextId++;
    }

    /** Our ping {@code id} to {@code dst}: the payload carries the send time. */
    static Packet request(Address us, Address dst, int srcPort, int id, long now) {
        byte[] payload = new byte[8];
        Bytes.put64(payload, 0, now);
        return new Packet(0, Packet.PROTO_CONTROL, us, dst, srcPort, Ports.PING, id, 0, 0, payload);
    }

    /** The answer to a ping addressed to us: flags ACK, ports swapped, seq echoed, ack = seq + 1, same payload. */
    static Packet pong(Address us, Packet ping) {
        return new Packet(Packet.ACK, Packet.PROTO_CONTROL, us, ping.src(), Ports.PING, ping.srcPort(), ping.seq(),
                ping.seq() + 1, 0, ping.payload());
    }

    /** Ping {@code id} left for {@code dst}; it times out after {@code timeoutMillis}. */
    void sent(int id, Address dst, int srcPort, long now, long timeoutMillis) {
        pings.put(id, new Ping(dst, srcPort, now, now + timeoutMillis));
    }

    /** A PONG event when {@code p} answers a ping we wait on (same peer and port), else null. */
    NodeEvent.Pong onPong(Packet p, long now) {
        Ping ping = pings.get(p.seq());
        if (ping == null || !ping.peer().equals(p.src()) || ping.srcPort() != p.dstPort()) {
            return null;
        }
        pings.remove(p.seq());
        return new NodeEvent.Pong(p.seq(), p.src(), now - ping.sentAt());
    }

    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Ping p : pings.values()) {
            d = Math.min(d, p.deadline());
        }
        return d;
    }

    /** PING_TIMEOUT for every ping whose deadline passed, in the order they were sent. */
    List<NodeEvent.PingTimeout> expire(long now) {
        List<NodeEvent.PingTimeout> out = new ArrayList<>();
        for (Map.Entry<Integer, Ping> e : new ArrayList<>(pings.entrySet())) {
            if (e.getValue().deadline() <= now) {
                pings.remove(e.getKey());
                out.add(new NodeEvent.PingTimeout(e.getKey(), e.getValue().peer(), ErrorCode.TIMED_OUT));
            }
        }
        return out;
    }

    /** The peer is unreachable: every ping to it ends now with PEER_UNREACHABLE. */
    List<NodeEvent> failPeer(Address peer) {
        List<NodeEvent> out = new ArrayList<>();
        for (Map.Entry<Integer, Ping> e : new ArrayList<>(pings.entrySet())) {
            if (e.getValue().peer().equals(peer)) {
                pings.remove(e.getKey());
                out.add(new NodeEvent.PingTimeout(e.getKey(), peer, ErrorCode.PEER_UNREACHABLE));
            }
        }
        return out;
    }
}
