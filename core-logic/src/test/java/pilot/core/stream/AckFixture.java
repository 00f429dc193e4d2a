package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * One stream a peer opened to our listening port, fed segments by the test on a virtual clock, and the ACKs
 * we send back as an owner drains them (after each call, or after running the due timers): for the tests of
 * when ACKs leave ({@link QuickAckTest}, {@link CoalescedAckTest}).
 */
abstract class AckFixture {
    static final Address US = new Address(0, 1);
    static final Address PEER = new Address(0, 2);
    static final int PORT = 1000;
    static final int PEER_PORT = 50000;

    final List<Packet> sent = new ArrayList<>();
    StreamTable table;
    long now = 1_000;
    int peerSeq;

    /** A peer opened a stream to our listening port; our SYN|ACK is discarded. */
    void open(StreamConfig cfg) {
        table = new StreamTable(US, cfg, StreamTable.Limits.DEFAULTS, 0);
        table.listen(PORT);
        table.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, PEER, US, PEER_PORT, PORT, 0, 0, 64, null), now);
        acks();
        peerSeq = 1;
    }

    /** A segment of {@code bytes} at {@code seq} from the peer. */
    void peerSends(int seq, int bytes) {
        table.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, PEER, US, PEER_PORT, PORT, seq, 1, 64,
                new byte[bytes]), now);
    }

    /** The peer's next in-order segment of {@code bytes}. */
    void peerSends(int bytes) {
        peerSends(peerSeq, bytes);
        peerSeq += bytes;
    }

    /** What we sent since the last call. */
    List<Packet> acks() {
        Outputs.drain(table, new Outputs.Listener() {
            @Override
            public void send(Packet packet) {
                sent.add(packet);
            }
        });
        List<Packet> a = new ArrayList<>(sent);
        sent.clear();
        return a;
    }

    /** What an owner does after a batch of input: runs the timers that are due (a quick ACK is due at once). */
    List<Packet> acksAfterStep() {
        if (table.nextDeadline() <= now) {
            table.onTimeout(now);
        }
        return acks();
    }
}
