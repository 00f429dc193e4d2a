package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.wire.PacketCodec;

/**
 * A datagram whose payload the host keeps ({@link PilotNode#sendDatagram(pilot.core.addr.Address, int, byte[], int, long)}):
 * only where the node hands the packet to the host's AEAD at once, checksum included. Its seal request names the
 * host's reference, carries the packet the bytes would have made (same header, port and place in the order) with
 * zeros where the payload goes; anywhere else the call is refused before anything changes, so the host sends the bytes.
 */
class HeldSendTest {
    private static final int PORT = 2000;
    private static final byte[] PAYLOAD = {9, 8, 7, 6, 5};

    /** Node 1 (deferred AEAD, and checksums when {@code checksums}) with a session to node 0 when {@code session}. */
    private static final class Pair {
        final Net net = new Net();
        final PilotNode a;
        final PilotNode b;

        Pair(boolean checksums, boolean session) {
            NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(false);
            a = net.add(cfg);
            b = checksums ? net.addDeferredChecksum(cfg) : net.addDeferred(cfg);
            net.meshKnown();
            a.listen(PORT);
            if (session) {
                b.sendDatagram(a.address(), PORT, new byte[] {1}, net.now);
                net.run(200);
            }
        }

        CryptoRequest.Seal seal() {
            CryptoRequest.Seal s = null;
            for (CryptoRequest r = b.pollCrypto(); r != null; r = b.pollCrypto()) {
                s = r instanceof CryptoRequest.Seal x ? x : s;
            }
            return s;
        }
    }

    @Test
    void theSealNamesTheHostsPayloadAndCarriesThePacketTheBytesWouldHaveMade() {
        Pair held = new Pair(true, true);
        Pair bytes = new Pair(true, true); // the same seeds: the same run but for the call
        Result<Integer> h = held.b.sendDatagram(held.a.address(), PORT, new byte[PAYLOAD.length], 42, held.net.now);
        Result<Integer> p = bytes.b.sendDatagram(bytes.a.address(), PORT, PAYLOAD, bytes.net.now);
        assertTrue(h.isOk());
        assertEquals(p.value(), h.value(), "the same source port");
        CryptoRequest.Seal hs = held.seal();
        CryptoRequest.Seal ps = bytes.seal();
        assertEquals(42, hs.hostRef());
        assertEquals(0, ps.hostRef(), "a call with the bytes names nothing");
        assertEquals(PacketCodec.HEADER_SIZE + PAYLOAD.length, hs.data().length);
        assertArrayEquals(Arrays.copyOf(ps.data(), PacketCodec.HEADER_SIZE), Arrays.copyOf(hs.data(), PacketCodec.HEADER_SIZE),
                "the same header");
        assertArrayEquals(PAYLOAD, Arrays.copyOfRange(ps.data(), PacketCodec.HEADER_SIZE, ps.data().length));
        assertArrayEquals(ps.nonce(), hs.nonce(), "the same counter: the same place in the order");
        assertEquals(ps.keyId(), hs.keyId());
    }

    @Test
    void aHostThatHoldsNoPayloadAnswersTheSealAsFailedNeverWithTheZeros() {
        // the Java driver of a deferred node (the JVM host's, the simulation's) keeps no bytes of its own
        Pair held = new Pair(true, true);
        int before = held.net.eventsOf(0, NodeEvent.Datagram.class).size();
        assertTrue(held.b.sendDatagram(held.a.address(), PORT, new byte[PAYLOAD.length], 42, held.net.now).isOk());
        held.net.run(200);
        assertEquals(before, held.net.eventsOf(0, NodeEvent.Datagram.class).size(), "no datagram of zeros arrived");
        held.b.sendDatagram(held.a.address(), PORT, PAYLOAD, held.net.now);
        held.net.run(200);
        assertArrayEquals(PAYLOAD, held.net.eventsOf(0, NodeEvent.Datagram.class).get(before).data(), "the node goes on");
    }

    @Test
    void withoutASessionTheCallIsRefusedBeforeAnythingChanges() {
        Pair held = new Pair(true, false);
        Pair bytes = new Pair(true, false);
        Result<Integer> h = held.b.sendDatagram(held.a.address(), PORT, new byte[PAYLOAD.length], 42, held.net.now);
        assertEquals(ErrorCode.NO_SESSION, h.error());
        assertNull(held.b.pollCrypto(), "no request, no handshake started");
        assertNull(held.b.pollTransmit(), "nothing queued or sent");
        // the host then sends the bytes: the same port and packets as a node that was never asked to hold them
        int port = held.b.sendDatagram(held.a.address(), PORT, PAYLOAD, held.net.now).value();
        assertEquals(bytes.b.sendDatagram(bytes.a.address(), PORT, PAYLOAD, bytes.net.now).value(), port);
        held.net.run(200);
        bytes.net.run(200);
        assertEquals(1, held.net.eventsOf(0, NodeEvent.Datagram.class).size());
        assertArrayEquals(PAYLOAD, held.net.eventsOf(0, NodeEvent.Datagram.class).get(0).data());
    }

    @Test
    void aNodeThatSumsItsOwnPacketsRefusesToo() {
        // without deferred checksums the node would compute the CRC over the zeros: only the host can
        Pair held = new Pair(false, true);
        assertEquals(ErrorCode.NO_SESSION, held.b.sendDatagram(held.a.address(), PORT, new byte[PAYLOAD.length], 42, held.net.now).error());
        assertNull(held.seal());
    }
}
