package pilot.host.cli;

/**
 * SLF4J simple backend setup before any logger exists: warnings only by default, {@code -v} info,
 * {@code -vv} debug. Logs go to standard error with a timestamp.
 */
final class Logging {
    private Logging() {
    }

    static void configure(String[] args) {
        int v = 0;
        boolean runs = false;
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) {
                v++;
            } else if (a.matches("-v+")) {
                v += a.length() - 1;
            } else if (a.equals("run") || a.equals("echo") || a.equals("relay") || a.equals("registry")) {
                runs = true;
            }
        }
        String level = v >= 2 ? "debug" : v == 1 || runs ? "info" : "warn";
        set("org.slf4j.simpleLogger.defaultLogLevel", level);
        set("org.slf4j.simpleLogger.showDateTime", "true");
        set("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        set("org.slf4j.simpleLogger.showThreadName", "false");
        set("org.slf4j.simpleLogger.showShortLogName", "true");
        // The WebSocket library logs every malformed frame a stranger sends as an ERROR with a stack trace,
        // beyond the relay's own rate limit; the relay reports what matters itself (docs/SECURITY.md "Relay").
        set("org.slf4j.simpleLogger.log.org.java_websocket", v >= 2 ? "debug" : "off");
    }

    private static void set(String k, String v) {
        if (System.getProperty(k) == null) {
            System.setProperty(k, v);
        }
    }
}
