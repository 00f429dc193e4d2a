package pilot.core.node;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.stream.StreamTable;
import pilot.core.wire.Packet;

/**
 * Packets addressed to us, by protocol: stream segments to the stream layer, datagrams to a listening port's
 * application, control pings answered and pongs matched (spec H.1, H.2); anything else is counted and dropped.
 */
final class Delivery {
    private final Address address;
    private final StreamTable streams;
    private final StreamPump pump;
    private final PingService pings;
    private final PeerLinks links;
    private final NodeOutbox out;
    private long packetsIn;

    Delivery(Address address, StreamTable streams, StreamPump pump, PingService pings, PeerLinks links, NodeOutbox out) {
        this.address = address;
        this.streams = streams;
        this.pump = pump;
        this.pings = pings;
        this.links = links;
        this.out = out;
    }

    void deliver(Packet p, long now) {
        if (p.dst().node() != address.node()) {
            out.drop(ErrorCode.INVALID_ARGUMENT); // not addressed to us
            return;
        }
        packetsIn++;
        switch (p.protocol()) {
            case Packet.PROTO_STREAM -> {
                streams.onPacket(p, now);
                pump.drain(now);
            }
            case Packet.PROTO_DATAGRAM -> {
                if (p.payloadLength() > 0 && streams.isListening(p.dstPort())) {
                    out.event(new NodeEvent.Datagram(p.src(), p.dstPort(), p.srcPort(), p.payload()));
                } else {
                    out.drop(ErrorCode.REFUSED);
                }
            }
            case Packet.PROTO_CONTROL -> onControl(p, now);
            default -> out.drop(ErrorCode.REFUSED); // unknown protocols are ignored (spec B.3)
        }
    }

    long packetsIn() {
        return packetsIn;
    }

    private void onControl(Packet p, long now) {
        if (p.dstPort() == Ports.PING && !p.has(Packet.ACK)) {
            links.send(PingService.pong(address, p), 0, now); // spec H.2
            return;
        }
        if (p.has(Packet.ACK) && p.srcPort() == Ports.PING) {
            NodeEvent pong = pings.onPong(p, now);
            if (pong != null) {
                out.event(pong);
                return;
            }
        }
        out.drop(ErrorCode.REFUSED); // other control ports are ignored (spec H.2), e.g. tunnel keepalives
    }
}
