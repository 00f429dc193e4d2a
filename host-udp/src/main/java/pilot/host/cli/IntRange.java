package pilot.host.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A whole-number option checked as it is parsed: outside {@code min..max} is a usage error (exit 2) that picocli
 * reports as {@code Invalid value for option '--NAME': ...}, so the message names the option and its range. A limit
 * of 0 or less would otherwise start a relay that refuses everything, or fail later as "limits must be positive".
 * picocli makes converters by their class, so each range is a subclass.
 */
abstract class IntRange implements ITypeConverter<Integer> {
    /** {@code --max-connections}: twice as many TCP sockets must still be an int, and a relay needs one. */
    static final int MAX_CONNECTIONS = 1 << 20;
    /** Login attempts per IP per second; more than this is no limit at all. */
    static final int MAX_LOGINS_PER_SECOND = 1_000_000;
    /** Seconds: one day. */
    static final int MAX_TIMEOUT_SECONDS = 86_400;
    /** Pings per {@code ping} command. */
    static final int MAX_COUNT = 1_000_000;

    private final int min;
    private final int max;

    IntRange(int min, int max) {
        this.min = min;
        this.max = max;
    }

    @Override
    public Integer convert(String value) {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number; allowed: " + min + ".." + max);
        }
        if (n < min || n > max) {
            throw new TypeConversionException(value.strip() + " is out of range; allowed: " + min + ".." + max);
        }
        return (int) n;
    }

    static final class Connections extends IntRange {
        Connections() {
            super(1, MAX_CONNECTIONS);
        }
    }

    static final class LoginsPerSecond extends IntRange {
        LoginsPerSecond() {
            super(1, MAX_LOGINS_PER_SECOND);
        }
    }

    /** Per IP at most the relay's whole provisional pool. */
    static final class ProvisionalPerIp extends IntRange {
        ProvisionalPerIp() {
            super(1, pilot.host.relay.RelayLimits.DEFAULTS.maxProvisional());
        }
    }

    static final class Seconds extends IntRange {
        Seconds() {
            super(1, MAX_TIMEOUT_SECONDS);
        }
    }

    static final class Count extends IntRange {
        Count() {
            super(1, MAX_COUNT);
        }
    }
}
