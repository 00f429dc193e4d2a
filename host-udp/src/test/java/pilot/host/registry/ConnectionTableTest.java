package pilot.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which connection makes room, and which are closed, with time passed in. */
class ConnectionTableTest {
    final RegistryLimits limits = RegistryLimits.DEFAULTS.withMaxConnections(2);

    @Test
    void whenFullAnIdleConnectionGoesFirstThenTheOneStuckWritingLongestAndOneBeingHandledNever() {
        ConnectionTable<String> t = new ConnectionTable<>(limits);
        t.admit("handling", "10.0.0.1", 0);
        t.admit("writer", "10.0.0.2", 0);
        t.requestArrived("handling", 10);
        t.requestArrived("writer", 10);
        assertFalse(t.admit("refused", "10.0.0.3", 20).admitted(), "both are handling a request: nobody is evictable");
        t.writing("writer", 20);
        var a = t.admit("new", "10.0.0.3", 30);
        assertEquals(new ConnectionTable.Admission<>(true, "writer", true), a, "a connection stuck in a write makes room");
        t.answered("new", 40); // "new" is idle now, and goes before any writer
        t.writing("handling", 50);
        assertEquals(new ConnectionTable.Admission<>(true, "new", false), t.admit("newer", "10.0.0.4", 60));
    }

    @Test
    void aWriteBlockedForTheWriteTimeoutExpiresLongBeforeTheIdleTimeout() {
        ConnectionTable<String> t = new ConnectionTable<>(limits);
        t.admit("idle", "10.0.0.1", 0);
        t.admit("writer", "10.0.0.2", 0);
        t.requestArrived("writer", 0);
        t.writing("writer", 100);
        assertTrue(t.expired(100 + limits.writeTimeoutMillis() - 1).isEmpty());
        assertEquals(List.of(new ConnectionTable.Stale<>("writer", true)), t.expired(100 + limits.writeTimeoutMillis()));
        assertEquals(1, t.size(), "the idle one stays until the idle timeout");
        assertEquals(List.of(new ConnectionTable.Stale<>("idle", false)), t.expired(limits.idleTimeoutMillis()));
    }
}
