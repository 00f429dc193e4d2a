package pilot.core.addr;

/** Well-known virtual ports and ranges (spec A.2). */
public final class Ports {
    public static final int MAX = 0xFFFF;
    /** Control-protocol ping (spec H.2). */
    public static final int PING = 0;
    public static final int CONTROL = 1;
    /** Stream echo service (spec H.3). */
    public static final int ECHO = 7;
    public static final int NAMESERVER = 53;
    public static final int HTTP = 80;
    public static final int SECURE = 443;
    public static final int TRUST_HANDSHAKE = 444;
    public static final int STDIO = 1000;
    public static final int DATA_EXCHANGE = 1001;
    public static final int EVENT_STREAM = 1002;
    public static final int TASK_SUBMIT = 1003;
    public static final int RESERVED_MAX = 1023;
    public static final int REGISTERED_MAX = 49151;
    public static final int EPHEMERAL_FIRST = 49152;
    public static final int EPHEMERAL_LAST = 65535;

    private Ports() {
    }

    public static boolean isValid(int port) {
        return port >= 0 && port <= MAX;
    }

    static void require(int port) {
        if (!isValid(port)) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
