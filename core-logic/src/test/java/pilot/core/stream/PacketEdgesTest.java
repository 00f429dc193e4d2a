package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * Inbound packets at the edges of the handshake and the close (spec G.3, G.6, G.7), one table against a
 * hand-written peer: what is ignored, what is answered again, and what is reset.
 */
class PacketEdgesTest {
    static final Address US = new Address(0, 1);
    static final Address PEER = new Address(0, 2);
    static final int PORT = 80;

    final StreamTable us = new StreamTable(US, StreamConfig.DEFAULTS, StreamTable.Limits.DEFAULTS, 0);
    final List<Packet> sent = new ArrayList<>();
    final List<ErrorCode> closed = new ArrayList<>();
    final Outputs.Listener listener = new Outputs.Listener() {
        @Override
        public void send(Packet packet) {
            sent.add(packet);
        }

        @Override
        public void closed(int stream, ErrorCode reason) {
            closed.add(reason);
        }
    };
    long now = 1_000;
    int ourPort;
    int id;

    List<Packet> sent() {
        Outputs.drain(us, listener);
        List<Packet> s = new ArrayList<>(sent);
        sent.clear();
        return s;
    }

    void fromPeer(int flags, int seq, int ack, byte[] payload) {
        us.onPacket(new Packet(flags, Packet.PROTO_STREAM, PEER, US, PORT, ourPort, seq, ack, 64, payload), now);
    }

    void dial() {
        id = us.open(PEER, PORT, now).value();
        ourPort = sent().get(0).srcPort();
    }

    @Test
    void beforeTheSynAckOnlyAResetOrASynMatters() {
        dial();
        fromPeer(Packet.ACK, 1, 1, new byte[10]);
        fromPeer(Packet.FIN | Packet.ACK, 1, 1, null);
        assertEquals(StreamState.SYN_SENT, us.state(id), "data and FIN before the handshake are ignored");
        assertTrue(sent().isEmpty());
    }

    @Test
    void aSynAckForAnOlderConnectionIsResetAndOurSynThenOpensAFreshOne() {
        dial();
        fromPeer(Packet.SYN | Packet.ACK, 0, 77, null);
        List<Packet> out = sent();
        assertEquals(1, out.size());
        assertTrue(out.get(0).has(Packet.RST), "the peer's stale connection is reset");
        assertEquals(StreamState.SYN_SENT, us.state(id));
        fromPeer(Packet.SYN | Packet.ACK, 0, 1, null);
        assertEquals(StreamState.ESTABLISHED, us.state(id));
    }

    @Test
    void aDuplicateSynAckIsAcknowledgedAgain() {
        dial();
        fromPeer(Packet.SYN | Packet.ACK, 0, 1, null);
        sent();
        fromPeer(Packet.SYN | Packet.ACK, 0, 1, null);
        List<Packet> out = sent();
        assertEquals(1, out.size(), "our final ACK was lost: send it again");
        assertTrue(out.get(0).has(Packet.ACK) && !out.get(0).has(Packet.SYN));
    }

    @Test
    void aDuplicateSynIsAnsweredWithTheSynAckAgain() {
        us.listen(PORT);
        us.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, PEER, US, 5000, PORT, 0, 0, 64, null), now);
        assertEquals(1, sent().size());
        us.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, PEER, US, 5000, PORT, 0, 0, 64, null), now);
        List<Packet> out = sent();
        assertEquals(1, out.size());
        assertTrue(out.get(0).has(Packet.SYN) && out.get(0).has(Packet.ACK), "our SYN|ACK was lost: send it again");
    }

    @Test
    void anAckForBytesNeverSentIsIgnored() {
        dial();
        fromPeer(Packet.SYN | Packet.ACK, 0, 1, null);
        us.write(id, new byte[10], 0, 10, now);
        sent();
        fromPeer(Packet.ACK, 1, 500, null);
        assertEquals(StreamState.ESTABLISHED, us.state(id));
        assertTrue(sent().isEmpty());
        assertTrue(!us.settled(), "our 10 bytes are still unacknowledged");
        fromPeer(Packet.ACK, 1, 11, null);
        assertTrue(us.settled());
    }

    @Test
    void aFinWithoutAnAcknowledgementNumberStillEndsThePeersDirection() {
        dial();
        fromPeer(Packet.SYN | Packet.ACK, 0, 1, null);
        sent();
        fromPeer(Packet.FIN | Packet.ACK, 1, 0, null);
        assertEquals(StreamState.CLOSE_WAIT, us.state(id), "ack 0 on a FIN is no acknowledgement, the FIN still counts");
        assertTrue(us.atEof(id));
    }

    @Test
    void aResetWhileDiallingIsARefusal() {
        dial();
        fromPeer(Packet.RST, 0, 0, null);
        sent();
        assertEquals(List.of(ErrorCode.REFUSED), closed);
    }
}
