package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.SeededEntropy;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.PilaTrailer;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * A hostile peer attacks a node while an honest peer streams to it: every attack is refused (and
 * counted), and the honest stream arrives complete.
 */
class HostilePeerTest {
    @Test
    void attacksAreRefusedWhileHonestTrafficFlows() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        PilotNode honest = net.add(NodeConfig.DEFAULTS);
        PilotNode hostile = net.add(NodeConfig.DEFAULTS);
        victim.listen(1000);
        // the wire tap: everything honest sends to the victim, for replaying later
        List<byte[]> captured = new ArrayList<>();
        net.tap = (from, to, bytes) -> {
            if (from == 1 && to == 0 && captured.size() < 200) {
                captured.add(bytes);
            }
        };

        byte[] data = new SeededEntropy(9).bytes(200_000);
        int s = honest.openStream(victim.address(), 1000, net.now).value();
        hostile.ping(victim.address(), net.now); // the hostile peer gets a real session first
        net.run(500);
        int accepted = net.eventsOf(0, NodeEvent.StreamAccepted.class).get(0).stream();
        Endpoint hostileEp = net.endpoints.get(2);
        Endpoint honestEp = net.endpoints.get(1);

        int off = 0;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (int round = 0; round < 400 && got.size() < data.length; round++) {
            if (off < data.length) {
                off += honest.write(s, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 4096)), net.now).value();
                if (off == data.length) {
                    honest.closeStream(s, net.now);
                }
            }
            attack(net, victim, hostile, hostileEp, honestEp, captured, round);
            byte[] chunk = victim.read(accepted, 1 << 20, net.now).value();
            got.write(chunk, 0, chunk.length);
            net.run(10);
        }
        net.run(2000);
        byte[] rest = victim.read(accepted, 1 << 20, net.now).value();
        got.write(rest, 0, rest.length);
        assertArrayEquals(data, got.toByteArray(), "the honest stream is complete and intact");

        StringBuilder drops = new StringBuilder();
        for (ErrorCode c : ErrorCode.values()) {
            if (victim.droppedCount(c) > 0) {
                drops.append(c).append("=").append(victim.droppedCount(c)).append(" ");
            }
        }
        assertTrue(victim.droppedCount(ErrorCode.REPLAY) + victim.droppedCount(ErrorCode.TOO_OLD) > 20, "replays refused: " + drops);
        assertTrue(victim.droppedCount(ErrorCode.IDENTITY_MISMATCH) > 0, "PILA signed by another identity refused");
        assertTrue(victim.droppedCount(ErrorCode.RATE_LIMITED) > 100, "PILA flood rate-limited");
        assertTrue(victim.droppedCount(ErrorCode.SPOOFED_SOURCE) > 0, "inner source spoofing refused: " + drops);
        assertTrue(victim.droppedCount(ErrorCode.TRUNCATED) > 0, "lying payload lengths refused: " + drops);
        assertTrue(victim.droppedCount(ErrorCode.BAD_MAGIC) > 0, "never-completing PILF fragments refused");
        assertTrue(victim.streamCount() <= StreamLimitsCheck.MAX_STREAMS_SEEN, "stream flood bounded");
        assertTrue(victim.bufferedBytes() < 4 << 20, "memory bounded: " + victim.bufferedBytes());
    }

    /** One round of every attack. */
    private static void attack(Net net, PilotNode victim, PilotNode hostile, Endpoint hostileEp, Endpoint honestEp,
                               List<byte[]> captured, int round) {
        long now = net.now;
        // 1. replay an old honest frame (from the honest endpoint, as an on-path attacker would)
        if (!captured.isEmpty()) {
            victim.handleDatagram(honestEp, captured.get(round % captured.size()), now);
        }
        // 2. a validly signed PILA claiming the honest node's id, made with the hostile key
        byte[] x = new SeededEntropy(round).bytes(32);
        var key = net.SUITE.ed25519(new SeededEntropy(7 + 2).bytes(32)); // the hostile node's identity seed (Net.add)
        byte[] sig = key.sign(AuthKeyFrame.challenge(honest(net).node(), x));
        victim.handleDatagram(hostileEp, new AuthKeyFrame(honest(net).node(), x, key.publicKey(), sig, PilaTrailer.NONE).encode(), now);
        // 3. a flood of one valid PILA of the hostile node (a fresh key each time would only re-key its own session)
        byte[] hx = net.SUITE.x25519PublicKey(new SeededEntropy(12345).bytes(32));
        byte[] hsig = key.sign(AuthKeyFrame.challenge(hostile.address().node(), hx));
        for (int i = 0; i < 10; i++) {
            victim.handleDatagram(hostileEp, new AuthKeyFrame(hostile.address().node(), hx, key.publicKey(), hsig, PilaTrailer.NONE).encode(), now);
        }
        // 4. fragments that never complete
        victim.handleDatagram(hostileEp, new byte[] {'P', 'I', 'L', 'F', 0, 0, 0, 3, 0, 0, 0, 1, 0, 9, 1, 2, 3}, now);
        // 5. through its own session: a packet lying about its payload length, and one spoofing the honest source
        byte[] lying = PacketCodec.encode(new Packet(0, 2, hostile.address(), victim.address(), 1, 1000, 0, 0, 0, new byte[] {1, 2, 3}));
        Bytes.put16(lying, 2, 60_000);
        sealAndSend(hostile, victim, hostileEp, lying, now);
        byte[] spoofed = PacketCodec.encode(new Packet(Packet.ACK, 1, honest(net), victim.address(), 5, 1000, 1, 1, 5, new byte[] {9}));
        sealAndSend(hostile, victim, hostileEp, spoofed, now);
        // 6. a flood of stream openings from the hostile peer
        for (int i = 0; i < 20; i++) {
            hostile.openStream(victim.address(), 1000, now);
        }
    }

    private static Address honest(Net net) {
        return net.nodes.get(1).address();
    }

    private static void sealAndSend(PilotNode from, PilotNode to, Endpoint fromEp, byte[] packet, long now) {
        var sealed = from.keyExchange().seal(to.address().node(), packet);
        if (sealed.isOk()) {
            to.handleDatagram(fromEp, sealed.value(), now);
        }
    }

    /** The victim's stream table never holds more than the per-source SYN rate allows over the run. */
    static final class StreamLimitsCheck {
        static final int MAX_STREAMS_SEEN = 200;
    }
}
