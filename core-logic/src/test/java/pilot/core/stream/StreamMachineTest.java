package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.stream.StreamMachine.Input;

/** The stream state table, entry by entry (spec G.1, G.3, G.6): what is listed moves, nothing else does. */
class StreamMachineTest {
    /** Every transition the table holds, as "FROM + INPUT -> TO". */
    static final List<String> TABLE = List.of(
            "SYN_SENT + SYN_ACKED -> ESTABLISHED",
            "ESTABLISHED + FIN_SENT -> FIN_WAIT",
            "CLOSE_WAIT + FIN_SENT -> LAST_ACK",
            "ESTABLISHED + PEER_FIN -> CLOSE_WAIT",
            "FIN_WAIT + PEER_FIN -> LAST_ACK",
            "LAST_ACK + FIN_ACKED -> TIME_WAIT",
            "SYN_SENT + TERMINATE -> CLOSED",
            "ESTABLISHED + TERMINATE -> CLOSED",
            "FIN_WAIT + TERMINATE -> CLOSED",
            "CLOSE_WAIT + TERMINATE -> CLOSED",
            "LAST_ACK + TERMINATE -> CLOSED",
            "TIME_WAIT + TERMINATE -> CLOSED");

    @Test
    void theTableHoldsExactlyTheListedTransitions() {
        List<String> actual = new ArrayList<>();
        for (StreamState s : StreamState.values()) {
            for (Input in : Input.values()) {
                StreamState to = StreamMachine.next(s, in);
                if (to != null) {
                    actual.add(s + " + " + in + " -> " + to);
                }
            }
        }
        assertEquals(TABLE.stream().sorted().toList(), actual.stream().sorted().toList());
    }

    @Test
    void entryActionsRunOncePerTransitionWithTheStateTheyLeft() {
        List<String> entered = new ArrayList<>();
        StreamMachine m = new StreamMachine(StreamState.SYN_SENT, (from, to, now) -> entered.add(from + ">" + to + "@" + now));
        assertTrue(m.fire(Input.SYN_ACKED, 5));
        assertFalse(m.fire(Input.SYN_ACKED, 6), "a second SYN|ACK changes nothing");
        assertFalse(m.fire(Input.FIN_ACKED, 7), "FIN_ACKED means nothing before our FIN");
        assertTrue(m.fire(Input.FIN_SENT, 8));
        assertTrue(m.fire(Input.PEER_FIN, 9));
        assertTrue(m.fire(Input.FIN_ACKED, 10));
        assertTrue(m.fire(Input.TERMINATE, 11));
        assertFalse(m.fire(Input.TERMINATE, 12), "CLOSED is final");
        assertEquals(List.of("SYN_SENT>ESTABLISHED@5", "ESTABLISHED>FIN_WAIT@8", "FIN_WAIT>LAST_ACK@9",
                "LAST_ACK>TIME_WAIT@10", "TIME_WAIT>CLOSED@11"), entered);
        assertEquals(StreamState.CLOSED, m.state());
    }
}
