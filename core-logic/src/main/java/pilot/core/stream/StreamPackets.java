package pilot.core.stream;

import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/** Builds the stream packets of one port pair (spec G.2): SYN, SYN|ACK, ACK, data, FIN, keepalive, RST. */
final class StreamPackets {
    private final Address local;
    private final int localPort;
    private final Address remote;
    private final int remotePort;

    StreamPackets(Address local, int localPort, Address remote, int remotePort) {
        this.local = local;
        this.localPort = localPort;
        this.remote = remote;
        this.remotePort = remotePort;
    }

    Packet syn(int isn, int window) {
        return new Packet(Packet.SYN, Packet.PROTO_STREAM, local, remote, localPort, remotePort, isn, 0, window, null);
    }

    Packet synAck(int isn, int ack, int window) {
        return new Packet(Packet.SYN | Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, isn, ack, window, null);
    }

    /** A pure ACK; {@code sack} is the encoded SACK payload or null. */
    Packet ack(int seq, int ack, int window, byte[] sack) {
        return new Packet(Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, seq, ack, window, sack);
    }

    /** Data always carries the ACK (spec G.2). */
    Packet data(int seq, int ack, int window, byte[] data) {
        return new Packet(Packet.ACK, Packet.PROTO_STREAM, local, remote, localPort, remotePort, seq, ack, window, data);
    }

    /** The reference sends FIN alone: no ACK flag, ack 0, window 0 (spec G.6). */
    Packet fin(int seq) {
        return new Packet(Packet.FIN, Packet.PROTO_STREAM, local, remote, localPort, remotePort, seq, 0, 0, null);
    }

    /** Keepalive probe: a pure ACK with window 0 (spec G.8). */
    Packet keepalive(int seq, int ack) {
        return ack(seq, ack, 0, null);
    }

    Packet rst() {
        return rst(local, localPort, remote, remotePort);
    }

    static Packet rst(Address local, int localPort, Address remote, int remotePort) {
        return new Packet(Packet.RST, Packet.PROTO_STREAM, local, remote, localPort, remotePort, 0, 0, 0, null);
    }
}
