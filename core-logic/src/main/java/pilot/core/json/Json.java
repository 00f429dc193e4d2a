package pilot.core.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.text.AsciiHex;

/**
 * A small, strict JSON reader and writer for the registry protocol (spec I.1) and the vector files.
 * Objects become insertion-ordered {@code Map<String,Object>}, arrays {@code List<Object>}, integral
 * numbers {@code Long}, other numbers {@code Double}. Parsing never throws: depth, input size and
 * malformed text give a {@link ErrorCode#BAD_LENGTH} refusal with the offset.
 */
public final class Json {
    /** Nesting deeper than this is refused, so hostile input cannot exhaust the stack. */
    public static final int MAX_DEPTH = 64;
    private static final String HEX = "0123456789abcdef";
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    public static Result<Object> parse(String text) {
        if (text == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "null");
        }
        Json p = new Json(text);
        try {
            p.ws();
            Object v = p.value(0);
            p.ws();
            if (p.i != text.length()) {
                throw p.error("trailing characters");
            }
            return Result.ok(v);
        } catch (Malformed e) {
            return Result.fail(ErrorCode.BAD_LENGTH, e.getMessage());
        }
    }

    /** Parses text that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Result<Map<String, Object>> parseObject(String text) {
        Result<Object> r = parse(text);
        if (!r.isOk()) {
            return r.castFailure();
        }
        if (!(r.value() instanceof Map)) {
            return Result.fail(ErrorCode.BAD_LENGTH, "JSON value is not an object");
        }
        return Result.ok((Map<String, Object>) r.value());
    }

    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String str) {
            quote(sb, str);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no NaN or infinity");
            }
            sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) {
                    sb.append(',');
                }
                write(sb, l.get(k));
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void quote(StringBuilder sb, String str) {
        sb.append('"');
        for (int k = 0; k < str.length(); k++) {
            char c = str.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static final class Malformed extends Exception {
        Malformed(String m) {
            super(m, null, false, false);
        }
    }

    private Malformed error(String what) {
        return new Malformed(what + " at offset " + i);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            i++;
        }
    }

    private Object value(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Object literal(String word, Object v) throws Malformed {
        if (!s.startsWith(word, i)) {
            throw error("bad literal");
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws Malformed {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            String key = string();
            ws();
            expect(':');
            ws();
            m.put(key, value(depth + 1));
            ws();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw error("expected , or }");
            }
        }
    }

    private List<Object> array(int depth) throws Malformed {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            char c = next();
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw error("expected , or ]");
            }
        }
    }

    private String string() throws Malformed {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = AsciiHex.digit(s.charAt(i++));
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        cp = (cp << 4) | d;
                    }
                    sb.append((char) cp);
                }
                default -> throw error("bad escape");
            }
        }
    }

    private Object number() throws Malformed {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digits = 0;
        boolean integral = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integral = false;
            } else {
                break;
            }
            i++;
        }
        if (digits == 0) {
            throw error("expected a value");
        }
        String text = s.substring(start, i);
        try {
            if (integral && digits <= 18) {
                return Long.parseLong(text);
            }
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw error("bad number");
        }
    }

    private char peek() throws Malformed {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i);
    }

    private char next() throws Malformed {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) throws Malformed {
        if (next() != c) {
            throw error("expected " + c);
        }
    }
}
