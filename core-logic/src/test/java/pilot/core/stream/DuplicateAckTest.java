package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * Which ACKs count towards the third duplicate that fast-retransmits (spec G.5): a pure ACK that repeats the
 * cumulative ACK does, unless it only opens the receiver's window. A receiver whose reader drained a full
 * buffer sends such window updates while our segments are still on their way to it; counted as duplicates,
 * three of them resent a segment nothing had lost and halved the congestion window.
 */
class DuplicateAckTest {
    static final Address US = new Address(0, 1);
    static final Address PEER = new Address(0, 2);
    static final int PORT = 80;

    final StreamTable us = new StreamTable(US, StreamConfig.DEFAULTS, StreamTable.Limits.DEFAULTS, 0);
    final List<Packet> sent = new ArrayList<>();
    long now = 1_000;
    int ourPort;

    List<Packet> sent() {
        Outputs.drain(us, new Outputs.Listener() {
            @Override
            public void send(Packet packet) {
                sent.add(packet);
            }
        });
        List<Packet> s = new ArrayList<>(sent);
        sent.clear();
        return s;
    }

    void fromPeer(int ack, int window, byte[] payload) {
        us.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, PEER, US, PORT, ourPort, 1, ack, window, payload), now);
    }

    /** An established stream with four 1,024-byte segments in flight (seq 1 .. 4097). */
    void fourSegmentsInFlight() {
        int id = us.open(PEER, PORT, now).value();
        ourPort = sent().get(0).srcPort();
        us.onPacket(new Packet(Packet.SYN | Packet.ACK, Packet.PROTO_STREAM, PEER, US, PORT, ourPort, 0, 1, 4, null), now);
        sent();
        us.write(id, new byte[4096], 0, 4096, now);
        assertEquals(4, sent().stream().filter(p -> p.payloadLength() > 0).count());
    }

    static long resent(List<Packet> packets) {
        return packets.stream().filter(p -> p.payloadLength() > 0 && p.seq() == 1).count();
    }

    @Test
    void threeWindowUpdatesAreNotDuplicateAcks() {
        fourSegmentsInFlight();
        for (int w = 5; w <= 7; w++) {
            fromPeer(1, w, null); // the peer's reader freed room: the same cumulative ACK, a larger window
        }
        assertEquals(0, resent(sent()), "nothing was lost: no fast retransmission");
    }

    @Test
    void threePureAcksWithTheSameWindowAreDuplicates() {
        fourSegmentsInFlight();
        for (int i = 0; i < 3; i++) {
            fromPeer(1, 4, null); // reference receivers send plain duplicates (spec G.5)
        }
        assertEquals(1, resent(sent()), "the third duplicate fast-retransmits the first segment");
    }

    @Test
    void duplicatesWithSackBlocksCountEvenWhenTheWindowGrows() {
        fourSegmentsInFlight();
        for (int w = 5; w <= 7; w++) {
            fromPeer(1, w, Sack.encode(new int[] {1025, 1025 + 1024 * (w - 4)}, 1));
        }
        assertTrue(resent(sent()) >= 1, "SACK blocks report a hole whatever the window says");
    }
}
