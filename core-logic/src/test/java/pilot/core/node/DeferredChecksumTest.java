package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Ports;
import pilot.core.crypto.Aead;
import pilot.core.crypto.SeededEntropy;
import pilot.core.wire.PacketCodec;

/**
 * The packet checksum as part of the AEAD effect ({@link PilotNode#deferChecksum}): the host fills the CRC-32 of
 * every packet it seals and says whether the plaintexts it opens carry a matching one. The wire bytes are those of
 * a node that computes the checksum itself; an open answered without the host's word is checked by the node as
 * before; the host's word counts only for a node that deferred its checksum.
 */
class DeferredChecksumTest {
    private static final int PORT = 2000;

    /** Every datagram on the wire of a two-node run where node 1 is made by {@code second}: datagrams both ways and an echoed stream. */
    private static List<byte[]> wireOf(Function<Net, PilotNode> second) {
        Net net = new Net();
        List<byte[]> wire = new ArrayList<>();
        net.tap = (from, to, bytes) -> wire.add(bytes.clone());
        NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(true);
        PilotNode a = net.add(cfg);
        PilotNode b = second.apply(net);
        net.meshKnown();
        a.listen(PORT);
        b.listen(PORT);
        for (int i = 0; i < 20; i++) {
            a.sendDatagram(b.address(), PORT, new SeededEntropy(i).bytes(1 + i * 60), net.now);
            b.sendDatagram(a.address(), PORT, new SeededEntropy(100 + i).bytes(1 + i * 50), net.now);
            net.run(20);
        }
        byte[] data = new SeededEntropy(5).bytes(40_000);
        int s = b.openStream(a.address(), Ports.ECHO, net.now).value();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        int off = 0;
        for (int round = 0; round < 2_000 && back.size() < data.length; round++) {
            if (off < data.length) {
                off += b.write(s, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 4096)), net.now).value();
            }
            byte[] chunk = b.read(s, 1 << 20, net.now).value();
            back.write(chunk, 0, chunk.length);
            net.run(5);
        }
        assertArrayEquals(data, back.toByteArray(), "the stream echoed whole");
        assertEquals(20, net.eventsOf(0, NodeEvent.Datagram.class).size());
        assertEquals(20, net.eventsOf(1, NodeEvent.Datagram.class).size());
        assertEquals(0, b.droppedCount(ErrorCode.BAD_CHECKSUM));
        assertEquals(0, a.droppedCount(ErrorCode.BAD_CHECKSUM));
        return wire;
    }

    @Test
    void theHostsChecksumsGiveTheSameWireBytesAsTheNodesOwn() {
        List<byte[]> own = wireOf(net -> net.addDeferred(NodeConfig.DEFAULTS.withEcho(true)));
        List<byte[]> host = wireOf(net -> net.addDeferredChecksum(NodeConfig.DEFAULTS.withEcho(true)));
        assertEquals(own.size(), host.size());
        for (int i = 0; i < own.size(); i++) {
            assertArrayEquals(own.get(i), host.get(i), "datagram " + i);
        }
        assertTrue(own.size() > 60, "handshake, datagrams and stream segments were compared: " + own.size());
    }

    /** Node 1 (deferred, with or without the checksum) with a session to node 0 and a frame from node 0 waiting to be opened. */
    private static final class OneOpen {
        final Net net = new Net();
        final PilotNode a;
        final PilotNode b;
        final CryptoRequest.Open open;

        OneOpen(boolean checksum) {
            NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(false);
            a = net.add(cfg);
            b = checksum ? net.addDeferredChecksum(cfg) : net.addDeferred(cfg);
            net.meshKnown();
            b.handleDatagram(net.endpoints.get(0), net.frameAfterSession(a, b, PORT), net.now);
            CryptoRequest.Open o = null;
            for (CryptoRequest r = b.pollCrypto(); r != null; r = b.pollCrypto()) {
                o = r instanceof CryptoRequest.Open x ? x : o;
            }
            open = o;
            assertNotNull(open, "the frame is asked to be opened");
        }

        /** The authenticated plaintext with its checksum's last byte flipped (a packet only a key holder could make). */
        byte[] badChecksumPlaintext() {
            byte[] ct = open.data();
            // the session's key, as the host imported it when the session was first used
            Aead k = Net.SUITE.aes256Gcm(b.keyExchange().session(a.address().node()).keyBytes());
            byte[] plain = k.open(open.nonce(), open.aad(), ct, 0, ct.length);
            assertNotNull(plain);
            assertTrue(PacketCodec.checksumMatches(plain));
            plain[PacketCodec.OFF_CHECKSUM + 3] ^= 1;
            return plain;
        }

        int datagramsAtB() {
            int n = 0;
            for (NodeEvent e = b.pollEvent(); e != null; e = b.pollEvent()) {
                n += e instanceof NodeEvent.Datagram ? 1 : 0;
            }
            return n;
        }
    }

    @Test
    void anOpenAnsweredWithoutTheHostsWordIsCheckedByTheNode() {
        OneOpen o = new OneOpen(true);
        o.b.cryptoDone(o.open.id(), o.badChecksumPlaintext(), false, o.net.now);
        assertEquals(1, o.b.droppedCount(ErrorCode.BAD_CHECKSUM));
        assertEquals(0, o.datagramsAtB());
    }

    @Test
    void theHostsWordIsTakenByANodeThatDeferredItsChecksum() {
        // what the node skips when the host says the checksum matched: it does not compute it again
        OneOpen o = new OneOpen(true);
        o.b.cryptoDone(o.open.id(), o.badChecksumPlaintext(), true, o.net.now);
        assertEquals(0, o.b.droppedCount(ErrorCode.BAD_CHECKSUM));
        assertEquals(1, o.datagramsAtB());
    }

    @Test
    void theHostsWordCountsForNothingWhenTheNodeKeptItsChecksum() {
        OneOpen o = new OneOpen(false);
        o.b.cryptoDone(o.open.id(), o.badChecksumPlaintext(), true, o.net.now);
        assertEquals(1, o.b.droppedCount(ErrorCode.BAD_CHECKSUM));
        assertEquals(0, o.datagramsAtB());
    }

    @Test
    void aSealRequestCarriesThePacketWithItsChecksumFieldZero() {
        Net net = new Net();
        NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(false);
        PilotNode a = net.add(cfg);
        PilotNode b = net.addDeferredChecksum(cfg);
        net.meshKnown();
        a.listen(PORT);
        b.sendDatagram(a.address(), PORT, new byte[] {1}, net.now);
        net.run(200);
        assertEquals(1, net.eventsOf(0, NodeEvent.Datagram.class).size(), "the session is up and the host's checksum verified at node 0");
        b.sendDatagram(a.address(), PORT, new byte[] {9, 8, 7}, net.now);
        CryptoRequest.Seal seal = null;
        for (CryptoRequest r = b.pollCrypto(); r != null; r = b.pollCrypto()) {
            seal = r instanceof CryptoRequest.Seal s ? s : seal;
        }
        assertNotNull(seal);
        byte[] packet = seal.data().clone();
        assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(packet, PacketCodec.OFF_CHECKSUM, PacketCodec.OFF_CHECKSUM + 4));
        PacketCodec.fillChecksum(packet);
        assertTrue(PacketCodec.checksumMatches(packet));
        assertEquals(3, PacketCodec.decode(packet).value().payloadLength());
    }
}
