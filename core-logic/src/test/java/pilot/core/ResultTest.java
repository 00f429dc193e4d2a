package pilot.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link Result} and {@link ErrorCode}: the error convention every API of the core returns. */
class ResultTest {
    @Test
    void aFailureNeedsAnErrorCode() {
        assertThrows(IllegalArgumentException.class, () -> Result.fail(null, "why"));
    }

    @Test
    void misusingAResultIsAProgrammingErrorNotASilentNull() {
        assertThrows(IllegalStateException.class, () -> Result.ok(1).castFailure(), "only a failure re-types");
        Result<Integer> failed = Result.fail(ErrorCode.TRUNCATED, "short");
        IllegalStateException e = assertThrows(IllegalStateException.class, failed::value);
        assertEquals("no value: TRUNCATED (short)", e.getMessage());
        assertNull(failed.valueOrNull(), "the boundary form of a failure is null");
    }

    @Test
    void aFailureKeepsItsCodeAndDetailWhenRetyped() {
        Result<Integer> failed = Result.fail(ErrorCode.LIMIT_REACHED, "full");
        Result<String> retyped = failed.castFailure();
        assertSame(ErrorCode.LIMIT_REACHED, retyped.error());
        assertEquals("full", retyped.detail());
    }

    @Test
    void textSaysValueOrErrorAndDetail() {
        assertEquals("ok(7)", Result.ok(7).toString());
        assertEquals("REFUSED: no listener", Result.fail(ErrorCode.REFUSED, "no listener").toString());
    }

    @Test
    void everyErrorCodeIsFoundByItsNumberAndUnknownNumbersAreNull() {
        for (ErrorCode c : ErrorCode.values()) {
            assertSame(c, ErrorCode.ofCode(c.code()));
        }
        assertNull(ErrorCode.ofCode(0));
        assertNull(ErrorCode.ofCode(-1));
        assertNull(ErrorCode.ofCode(10_000));
    }
}
