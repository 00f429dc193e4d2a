package pilot.core.text;

/**
 * The one hex digit rule of every parser in the core (addresses, IP literals, JSON's backslash-u escapes, hex):
 * ASCII only, either case. Character.digit would also take other scripts' digits (fullwidth, Arabic-Indic,
 * Devanagari...), so one text could be spelled many ways, and in wasm it brings TeaVM's Unicode digit table.
 * Its own package, below wire and addr, so neither depends on the other for it.
 */
public final class AsciiHex {
    private AsciiHex() {
    }

    /** The value of {@code c} as an ASCII hex digit, or -1. */
    public static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
