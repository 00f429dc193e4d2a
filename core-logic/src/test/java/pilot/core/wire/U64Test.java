package pilot.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class U64Test {
    @Property
    void agreesWithTheJdk(@ForAll long v) {
        assertEquals(v, U64.parse(Long.toUnsignedString(v)));
        assertEquals(Long.toUnsignedString(v), U64.format(v));
    }

    @Test
    void refusesWhatIsNotAnUnsigned64BitDecimal() {
        assertEquals(-1L, U64.parse("18446744073709551615"));
        assertNull(U64.parse("18446744073709551616"));
        assertNull(U64.parse("99999999999999999999"));
        assertNull(U64.parse("184467440737095516150"));
        assertNull(U64.parse("-1"));
        assertNull(U64.parse(""));
        assertNull(U64.parse(null));
        assertNull(U64.parse("1x"));
        assertEquals(0L, U64.parse("0"));
    }
}
