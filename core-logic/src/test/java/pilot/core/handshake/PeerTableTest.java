package pilot.core.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one peer table: one bound, one eviction rule, and what it never evicts. */
class PeerTableTest {
    private final PeerTable table = new PeerTable(HandshakeLimits.DEFAULTS.withMaxPeers(3, 2));

    private List<Integer> nodes() {
        return table.values().stream().map(p -> p.node).toList();
    }

    @Test
    void aFullTableEvictsTheLongestHalfOpenEntryFirstThenTheOldestIdleOne() {
        PeerState idle = table.getOrAllocate(1, 0, false);
        table.markHalfOpen(table.getOrAllocate(2, 1, true), 5);
        table.markHalfOpen(table.getOrAllocate(3, 2, true), 4);
        assertSame(idle, table.getOrAllocate(1, 3, false), "an existing entry is returned, not re-made");
        assertNotNull(table.getOrAllocate(4, 6, false));
        assertEquals(List.of(1, 2, 4), nodes(), "3 was half-open the longest (since 4)");
        assertEquals(1, table.halfOpenCount());
        assertNotNull(table.getOrAllocate(5, 7, false));
        assertEquals(List.of(1, 4, 5), nodes(), "then 2, the last half-open one");
        assertNotNull(table.getOrAllocate(6, 8, false));
        assertEquals(List.of(4, 5, 6), nodes(), "then the first idle entry in insertion order");
    }

    @Test
    void entriesOurOwnTrafficOrHandshakesDependOnAreNeverEvicted() {
        table.getOrAllocate(1, 0, false).queue.add(new byte[10]);
        PeerState ours = table.getOrAllocate(2, 0, true);
        table.markHalfOpen(ours, 0);
        ours.tries = 1; // our own handshake: a stranger's PILK must not push it out
        PeerState session = table.getOrAllocate(3, 0, false);
        session.session = pilot.core.envelope.Session.fromKey(pilot.core.envelope.WireProfile.MODERN,
                new pilot.core.crypto.BouncyCastleSuite(), new byte[32], new byte[4], 0);
        assertNull(table.getOrAllocate(4, 1, false), "full, and nothing may go");
        assertNull(table.getOrAllocate(4, 1, true));
        assertEquals(List.of(1, 2, 3), nodes());
    }

    @Test
    void onlyAnAuthenticatedCallerMayEvictAnIdleSessionAndNeverOneOurTrafficWaitsFor() {
        PeerState[] s = new PeerState[3];
        for (int i = 0; i < 3; i++) {
            s[i] = table.getOrAllocate(i + 1, 0, false);
            s[i].session = pilot.core.envelope.Session.fromKey(pilot.core.envelope.WireProfile.MODERN,
                    new pilot.core.crypto.BouncyCastleSuite(), new byte[32], new byte[4], 0);
        }
        s[0].queue.add(new byte[10]); // our traffic waits for it
        s[1].tries = 1;               // our own handshake runs
        long idle = PeerTable.IDLE_SESSION_MILLIS;
        assertNull(table.getOrAllocate(4, 10 * idle, false), "an unauthenticated caller never evicts a session");
        PeerState fourth = table.getOrAllocate(4, idle, false, true);
        assertNotNull(fourth, "the only session nothing depends on");
        assertEquals(List.of(1, 2, 4), nodes());
        fourth.session = s[2].session;
        fourth.lastAuthenticated = idle; // installed then
        assertNull(table.getOrAllocate(5, 2 * idle - 1, false, true), "1 and 2 are ours, 4 not idle long enough");
        assertNotNull(table.getOrAllocate(5, 2 * idle, false, true));
        assertEquals(List.of(1, 2, 5), nodes());
        assertEquals(2, table.idleEvictions());
    }

    @Test
    void theHalfOpenBoundHoldsForNewAndExistingEntries() {
        table.markHalfOpen(table.getOrAllocate(1, 0, true), 0);
        table.markHalfOpen(table.getOrAllocate(2, 0, true), 1);
        PeerState existing = table.getOrAllocate(3, 2, false);
        assertTrue(table.admitHalfOpen(existing), "evicts 1, the longest half-open");
        table.markHalfOpen(existing, 2);
        assertEquals(List.of(2, 3), nodes());
        assertEquals(2, table.halfOpenCount());
        table.get(2).tries = 1;
        existing.tries = 1;
        PeerState more = table.getOrAllocate(4, 3, false);
        assertFalse(table.admitHalfOpen(more), "both half-open entries are our own handshakes");
        assertNull(table.getOrAllocate(5, 3, true));
        table.remove(2);
        assertEquals(1, table.halfOpenCount(), "removing a half-open entry frees its slot");
        assertTrue(table.admitHalfOpen(more));
    }
}
