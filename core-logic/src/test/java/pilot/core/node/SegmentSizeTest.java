package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Ports;
import pilot.core.envelope.WireProfile;

/**
 * A stream sends segments of the size the peer's generation uses (spec C.2): 1024 bytes to a modern peer,
 * 4096 to a Feb-2026 one, whose Nagle logic would otherwise hold each 1024-byte echo write for a round trip.
 */
class SegmentSizeTest {
    /** PILS overhead around a segment's payload: frame (36) + packet header (34). */
    static final int OVERHEAD = 36 + 34;

    static int largestDatagram(WireProfile profile) {
        Net net = new Net();
        NodeConfig cfg = NodeConfig.DEFAULTS.withProfile(profile).withEcho(true);
        PilotNode a = net.add(cfg);
        PilotNode b = net.add(cfg);
        AtomicInteger largest = new AtomicInteger();
        net.tap = (from, to, bytes) -> {
            if (from == 0) {
                largest.accumulateAndGet(bytes.length, Math::max);
            }
        };
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        byte[] data = new byte[64 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        net.run(200);
        assertEquals(data.length, a.write(s, data, net.now).value());
        a.closeStream(s, pilot.core.stream.CloseMode.HALF, net.now);
        assertArrayEquals(data, PilotNodeTest.readAll(net, 0, s, 20_000), "the echo is intact either way");
        return largest.get();
    }

    @Test
    void aModernPeerGets1024ByteSegments() {
        assertEquals(1024 + OVERHEAD, largestDatagram(WireProfile.MODERN));
    }

    @Test
    void aFeb2026PeerGetsTheSegmentsItsDaemonUses() {
        assertEquals(4096 + OVERHEAD, largestDatagram(WireProfile.FEB2026));
    }
}
