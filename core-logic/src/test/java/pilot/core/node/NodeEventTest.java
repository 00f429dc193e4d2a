package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;

class NodeEventTest {
    private static final Address PEER = new Address(1, 7);

    @Test
    void everyKindHasOneRecordAndKeepsItsBoundaryNumber() {
        List<NodeEvent> one = List.of(new NodeEvent.PeerUp(PEER), new NodeEvent.PeerNeeded(PEER),
                new NodeEvent.PeerUnreachable(PEER, ErrorCode.PEER_UNREACHABLE), new NodeEvent.StreamOpened(3),
                new NodeEvent.StreamAccepted(3, PEER, 1000, 49152), new NodeEvent.StreamReadable(3),
                new NodeEvent.StreamWritable(3), new NodeEvent.StreamClosed(3, null),
                new NodeEvent.Datagram(PEER, 1001, 49153, new byte[] {1}), new NodeEvent.Pong(9, PEER, 42),
                new NodeEvent.PingTimeout(9, PEER, ErrorCode.TIMED_OUT));
        Set<NodeEvent.Kind> kinds = new HashSet<>();
        for (int i = 0; i < one.size(); i++) {
            NodeEvent.Kind k = one.get(i).kind();
            assertTrue(kinds.add(k), k + " belongs to one record only");
            assertEquals(i + 1, k.code(), "the numbers of edge.json event_kinds");
        }
        assertEquals(NodeEvent.Kind.values().length, kinds.size(), "no kind without its record");
    }

    @Test
    void aDatagramHandsOutCopiesOfItsBytes() {
        byte[] payload = {1, 2, 3};
        NodeEvent.Datagram d = new NodeEvent.Datagram(PEER, 1001, 49153, payload);
        d.data()[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, d.data(), "one listener cannot change what the next one reads");
        assertEquals(3, d.length());
        assertEquals("Datagram[peer=" + PEER + " ports=1001/49153 len=3]", d.toString(), "no array identity in logs");
    }
}
