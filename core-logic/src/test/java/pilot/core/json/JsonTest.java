package pilot.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pilot.core.ErrorCode;

class JsonTest {
    @Test
    void parsesTheRegistryShapes() {
        Map<String, Object> m = Json.parseObject(
                "{\"type\":\"register_ok\",\"node_id\":42,\"ok\":true,\"x\":null,\"f\":1.5,\"l\":[1,\"a\\n\\u0041\"],\"e\":{}}").value();
        assertEquals("register_ok", m.get("type"));
        assertEquals(42L, m.get("node_id"));
        assertEquals(Boolean.TRUE, m.get("ok"));
        assertTrue(m.containsKey("x"));
        assertEquals(1.5, m.get("f"));
        assertEquals(List.of(1L, "a\nA"), m.get("l"));
        assertEquals(Map.of(), m.get("e"));
    }

    @Test
    void writesCompactJsonThatReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "lookup");
        m.put("node_id", 7L);
        m.put("n", 3);
        m.put("d", 2.0);
        m.put("h", 0.25);
        m.put("s", "q\"\\\n\r\t\u0001");
        m.put("b", false);
        m.put("l", List.of());
        m.put("z", null);
        String text = Json.write(m);
        assertEquals("{\"type\":\"lookup\",\"node_id\":7,\"n\":3,\"d\":2,\"h\":0.25,\"s\":\"q\\\"\\\\\\n\\r\\t\\u0001\",\"b\":false,\"l\":[],\"z\":null}", text);
        Map<String, Object> back = Json.parseObject(text).value();
        assertEquals("q\"\\\n\r\t\u0001", back.get("s"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]", "{\"a\":1,}", "tru", "\"abc", "\"\\x\"",
        "\"\\u12\"", "\"\\u12zz\"", "1 2", "-", "{1:2}", "\"a\u0001\"", "1.2.3e"})
    void refusesMalformedText(String text) {
        assertEquals(ErrorCode.BAD_LENGTH, Json.parse(text).error(), text);
    }

    @Test
    void refusesDeepNestingWithoutStackOverflow() {
        String deep = "[".repeat(100_000);
        assertFalse(Json.parse(deep).isOk());
        assertTrue(Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH)).isOk());
        assertEquals(ErrorCode.INVALID_ARGUMENT, Json.parse(null).error());
        assertEquals(ErrorCode.BAD_LENGTH, Json.parseObject("[1]").error());
        assertEquals(ErrorCode.BAD_LENGTH, Json.parseObject("[").error());
    }

    @Test
    void bigIntegersBecomeDoubles() {
        assertEquals(1.0E19, Json.parse("10000000000000000000").value());
        assertEquals(-5L, Json.parse("-5").value());
    }

    @Property
    void stringsRoundTrip(@ForAll String s) {
        assertEquals(s, Json.parse(Json.write(s)).value());
    }

    @Test
    void writingRefusesNaNAndInfinityAndKeepsFractionsAndLargeNumbers() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertEquals("2", Json.write(2.0), "a whole double is written as an integer");
        assertEquals("1.5", Json.write(1.5));
        assertEquals("1.0E15", Json.write(1e15), "beyond 1e15 a double keeps its exponent");
        assertEquals("[1,\"a\",[]]", Json.write(List.of(1L, "a", List.of())), "list items are comma separated");
    }

    @Test
    void readsEveryEscapeWhitespaceAndNumberForm() {
        assertEquals("\"\\/\b\f\n\r\t", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"").value());
        assertEquals(List.of(1L, 2L), Json.parse(" [\t1 ,\r\n2 ] ").value(), "whitespace around values and commas");
        assertEquals(List.of(-1.5e3, 2.5E+2, 1e-2), Json.parse("[-1.5e3,2.5E+2,1e-2]").value());
        assertFalse(Json.parse("[1 2]").isOk(), "items need a comma");
        assertFalse(Json.parse("\"\\x\"").isOk(), "unknown escape");
    }

    @Test
    void unicodeEscapesTakeAsciiHexDigitsOnly() {
        assertEquals("A\u00e9", Json.parse("\"\\u0041\\u00E9\"").value(), "either case");
        // fullwidth, Arabic-Indic and Devanagari digits: Character.digit reads them as hex, so hostile text could
        // spell one string many ways (this parser reads a relay client's text before it proved its key)
        for (String digits : new String[] {"\uFF10\uFF10\uFF14\uFF11", "\u0660\u0660\u0664\u0661", "\u0966\u0966\u096A\u0967",
            "00\uFF14\uFF21"}) {
            assertFalse(Json.parse("\"\\u" + digits + "\"").isOk(), digits);
        }
    }
}
