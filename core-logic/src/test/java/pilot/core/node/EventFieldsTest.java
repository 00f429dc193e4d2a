package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.edge.EventLayout.Fields;

/** Each record flattens to the numbers the wasm boundary has always written for its kind (edge.json event_records). */
class EventFieldsTest {
    private static final Address PEER = new Address(0x0102, 0x03040506);
    private static final int NET = 0x0102;
    private static final int NODE = 0x03040506;

    @Test
    void everyKindFlattensToItsFieldsAndZeroElsewhere() {
        int reset = ErrorCode.STREAM_RESET.code();
        int unreachable = ErrorCode.PEER_UNREACHABLE.code();
        assertEquals(new Fields(1, 0, true, NET, NODE, 0, 0, 0, 0), EventFields.of(new NodeEvent.PeerUp(PEER)));
        assertEquals(new Fields(2, 0, true, NET, NODE, 0, 0, 0, 0), EventFields.of(new NodeEvent.PeerNeeded(PEER)));
        assertEquals(new Fields(3, 0, true, NET, NODE, 0, 0, 0, unreachable),
                EventFields.of(new NodeEvent.PeerUnreachable(PEER, ErrorCode.PEER_UNREACHABLE)));
        assertEquals(new Fields(4, 7, false, 0, 0, 0, 0, 0, 0), EventFields.of(new NodeEvent.StreamOpened(7)));
        assertEquals(new Fields(5, 7, true, NET, NODE, 1000, 49152, 0, 0),
                EventFields.of(new NodeEvent.StreamAccepted(7, PEER, 1000, 49152)));
        assertEquals(new Fields(6, 7, false, 0, 0, 0, 0, 0, 0), EventFields.of(new NodeEvent.StreamReadable(7)));
        assertEquals(new Fields(7, 7, false, 0, 0, 0, 0, 0, 0), EventFields.of(new NodeEvent.StreamWritable(7)));
        assertEquals(new Fields(8, 7, false, 0, 0, 0, 0, 0, 0), EventFields.of(new NodeEvent.StreamClosed(7, null)), "clean");
        assertEquals(new Fields(8, 7, false, 0, 0, 0, 0, 0, reset),
                EventFields.of(new NodeEvent.StreamClosed(7, ErrorCode.STREAM_RESET)));
        assertEquals(new Fields(9, 0, true, NET, NODE, 1001, 49153, 0, 0),
                EventFields.of(new NodeEvent.Datagram(PEER, 1001, 49153, new byte[] {1})));
        assertEquals(new Fields(10, 9, true, NET, NODE, 0, 0, 81, 0), EventFields.of(new NodeEvent.Pong(9, PEER, 81)));
        assertEquals(new Fields(11, 9, true, NET, NODE, 0, 0, 0, ErrorCode.TIMED_OUT.code()),
                EventFields.of(new NodeEvent.PingTimeout(9, PEER, ErrorCode.TIMED_OUT)));
    }

    @Test
    void onlyADatagramCarriesData() {
        assertArrayEquals(new byte[] {1, 2}, EventFields.data(new NodeEvent.Datagram(PEER, 1, 2, new byte[] {1, 2})));
        assertNull(EventFields.data(new NodeEvent.Pong(9, PEER, 81)));
    }

    @Test
    void theUncopiedDataIsTheSameBytesAndDataStaysACopy() {
        NodeEvent.Datagram d = new NodeEvent.Datagram(PEER, 1, 2, new byte[] {1, 2});
        byte[] shared = EventFields.dataUncopied(d);
        assertArrayEquals(new byte[] {1, 2}, shared);
        assertSame(shared, EventFields.dataUncopied(d), "no copy per call: the boundary copies it out itself");
        assertNotSame(shared, EventFields.data(d), "data() still hands out a copy");
        assertNull(EventFields.dataUncopied(new NodeEvent.Pong(9, PEER, 81)));
    }
}
