package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(200);
        return largestSent(net, s);
    }

    /** Echoes 64 KiB on node 0's stream {@code s} (already open); the largest datagram node 0 sent meanwhile. */
    static int largestSent(Net net, int s) {
        PilotNode a = net.nodes.get(0);
        AtomicInteger largest = new AtomicInteger();
        net.tap = (from, to, bytes) -> {
            if (from == 0) {
                largest.accumulateAndGet(bytes.length, Math::max);
            }
        };
        byte[] data = new byte[64 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
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

    /**
     * A Worker that moved from a relay on loopback (stream_mss 4096) to one on a network (1024): streams opened or
     * accepted after setStreamMss send the new size; one opened before keeps its 4096 even for data written after.
     */
    @Test
    void setStreamMssSizesTheStreamsOpenedAfterIt() {
        Net net = new Net();
        NodeConfig modern = NodeConfig.DEFAULTS.withEcho(true);
        PilotNode a = net.add(modern.withStream(modern.stream().withMss(4096)));
        PilotNode b = net.add(modern);
        int before = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(200);
        assertTrue(a.setStreamMss(1024));
        int after = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(200);
        assertEquals(4096 + OVERHEAD, largestSent(net, before), "an open stream keeps its segment");
        assertEquals(1024 + OVERHEAD, largestSent(net, after), "a new one takes the new size");
        assertTrue(a.setStreamMss(4096), "and back, e.g. failing over to a loopback relay again");
        int again = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(200);
        assertEquals(4096 + OVERHEAD, largestSent(net, again));
    }

    @Test
    void setStreamMssTakesOnlyWhatASegmentMayBeAndChangesNothingOtherwise() {
        Net net = new Net();
        PilotNode a = net.add(NodeConfig.DEFAULTS.withEcho(true));
        PilotNode b = net.add(NodeConfig.DEFAULTS.withEcho(true));
        for (int bad : new int[] {0, -1, 1023, 4097, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertFalse(a.setStreamMss(bad), "mss " + bad);
        }
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        net.run(200);
        assertEquals(1024 + OVERHEAD, largestSent(net, s), "still the node's own 1024");
    }
}
