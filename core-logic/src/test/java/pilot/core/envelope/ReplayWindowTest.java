package pilot.core.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;

class ReplayWindowTest {
    /**
     * The spec F rules restated over a plain set of accepted counters: a counter is accepted when it is
     * above the highest one, or within 255 below it and not yet accepted.
     */
    static final class Model {
        final Set<Long> seen = new HashSet<>();
        long max;

        ErrorCode offer(long c) {
            ErrorCode verdict;
            if (max == 0 || Long.compareUnsigned(c, max) > 0) {
                verdict = null;
            } else if (Long.compareUnsigned(max - c, 256) >= 0) {
                verdict = ErrorCode.TOO_OLD;
            } else {
                verdict = seen.contains(c) ? ErrorCode.REPLAY : null;
            }
            if (verdict == null) {
                seen.add(c);
                if (max == 0 || Long.compareUnsigned(c, max) > 0) {
                    max = c;
                }
            }
            return verdict;
        }
    }

    @Provide
    Arbitrary<List<Long>> counterRuns() {
        // mostly-increasing runs with reordering, duplicates and jumps around the 256 edge
        Arbitrary<Long> step = Arbitraries.oneOf(Arbitraries.longs().between(-300, 300), Arbitraries.of(-256L, -255L, 255L, 256L, 1000L));
        return step.list().ofMinSize(1).ofMaxSize(400).map(steps -> {
            long c = 1;
            List<Long> out = new java.util.ArrayList<>();
            for (long s : steps) {
                c = Math.max(1, c + s);
                out.add(c);
            }
            return out;
        });
    }

    @Property(tries = 500)
    void agreesWithTheSetModel(@ForAll("counterRuns") List<Long> counters) {
        ReplayWindow w = new ReplayWindow();
        Model m = new Model();
        for (long c : counters) {
            ErrorCode expected = m.offer(c);
            ErrorCode got = w.check(c);
            assertEquals(expected, got, "counter " + c);
            if (got == null) {
                w.commit(c);
            }
            assertEquals(m.max, w.max());
        }
    }

    @Test
    void unsignedCountersAbove2to63() {
        ReplayWindow w = new ReplayWindow();
        long big = Long.MIN_VALUE; // 2^63
        assertNull(w.check(1));
        w.commit(1);
        assertNull(w.check(big));
        w.commit(big);
        assertEquals(ErrorCode.TOO_OLD, w.check(1));
        assertEquals(ErrorCode.REPLAY, w.check(big));
        assertNull(w.check(big - 255));
        assertEquals(ErrorCode.TOO_OLD, w.check(big - 256));
        assertNull(w.check(-1L)); // 2^64-1 is above 2^63
    }

    @Test
    void clearForgetsOneBit() {
        ReplayWindow w = new ReplayWindow();
        w.commit(5);
        w.commit(4);
        w.clear(4);
        assertNull(w.check(4));
        assertEquals(ErrorCode.REPLAY, w.check(5));
    }
}
