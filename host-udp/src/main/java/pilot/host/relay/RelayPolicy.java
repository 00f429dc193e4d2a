package pilot.host.relay;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import pilot.core.limit.RateLimiter;

/**
 * Who may hold a relay connection, as a pure state machine (no sockets, no clock: time is an argument).
 * {@link RelayServer} asks it at each step and does the IO.
 *
 * <p>Steps, and what each has proven:
 * <ol>
 *   <li>TCP accept ({@link #admitSocket}): nothing proven; counts against {@link RelayLimits#maxSockets()} and
 *       {@link RelayLimits#maxConnectionsPerIp}.</li>
 *   <li>login attempt ({@link #loginAttempt}): rate per source IP, checked before the signature costs CPU.</li>
 *   <li>login ({@link #login}), after the Ed25519 signature over the relay's nonce verified: the client holds
 *       the key. A key in the configured allow-list, or one this relay saw registered, is {@link Login.Full}.
 *       Without an allow-list, an unknown key is {@link Login.Provisional}: one of a small pool per IP and in
 *       total, that may only send a register for its own key and is promoted by the registry's
 *       {@code register_ok} ({@link #registered}). With an allow-list, unknown keys are refused.</li>
 *   <li>one live connection per key: a login that proved the key replaces the older connection of that key;
 *       nothing that did not sign can.</li>
 * </ol>
 * Not thread-safe by itself: every method is synchronized.
 */
public final class RelayPolicy {
    /** Outcome of a login whose signature verified. */
    public sealed interface Login permits Login.Full, Login.Provisional, Login.Refused {
        /** Served in full; {@code replaced} is the older connection of the same key to close, or -1. */
        record Full(long replaced) implements Login {
        }

        /** May only register its own key; {@code replaced} as for {@link Full}. */
        record Provisional(long replaced) implements Login {
        }

        record Refused(String reason) implements Login {
        }
    }

    private final RelayLimits limits;
    private final Set<Key> allowedKeys;
    private final Set<Key> knownKeys = new HashSet<>();
    private final Map<String, Integer> socketsPerIp = new HashMap<>();
    private final Map<String, Integer> provisionalPerIp = new HashMap<>();
    private final Map<Key, Long> liveByKey = new HashMap<>();
    private final RateLimiter loginRate;
    private final Map<Long, String> provisionalConns = new HashMap<>();
    private int sockets;

    /** A 32-byte Ed25519 public key as a map key (compared by value, never by its text spelling). */
    public record Key(byte[] bytes) {
        public Key {
            if (bytes == null || bytes.length != 32) {
                throw new IllegalArgumentException("an Ed25519 public key is 32 bytes");
            }
            bytes = bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }
    }

    /**
     * @param allowedKeys empty: any key may log in through the provisional step; otherwise only these
     */
    public RelayPolicy(RelayLimits limits, Set<Key> allowedKeys) {
        this.limits = limits;
        this.allowedKeys = Set.copyOf(allowedKeys);
        this.loginRate = new RateLimiter(limits.loginsPerSecondPerIp(), Math.max(1, limits.maxSockets()), 60_000);
    }

    /**
     * The source this policy's per-IP bounds count for a client at {@code address}: an IPv4 address, or an IPv6 /64
     * (one subscriber's usual prefix; as the registry counts, {@link pilot.host.registry.SourceKey}).
     */
    public static String sourceOf(java.net.InetAddress address) {
        return pilot.host.registry.SourceKey.of(address);
    }

    /** A TCP connection was accepted from {@code ip}; false: close it at once. Pair with {@link #socketClosed}. */
    public synchronized boolean admitSocket(String ip) {
        int n = socketsPerIp.getOrDefault(ip, 0);
        if (sockets >= limits.maxSockets() || n >= limits.maxConnectionsPerIp()) {
            return false;
        }
        sockets++;
        socketsPerIp.put(ip, n + 1);
        return true;
    }

    public synchronized void socketClosed(String ip) {
        Integer n = socketsPerIp.get(ip);
        if (n == null) {
            return;
        }
        sockets--;
        if (n <= 1) {
            socketsPerIp.remove(ip);
        } else {
            socketsPerIp.put(ip, n - 1);
        }
    }

    public synchronized int sockets() {
        return sockets;
    }

    /** One login attempt from {@code ip}; false: refuse without checking the signature. */
    public synchronized boolean loginAttempt(String ip, long now) {
        return loginRate.allow(ip, now);
    }

    /** Connection {@code conn} from {@code ip} proved {@code key}. */
    public synchronized Login login(long conn, String ip, Key key) {
        boolean full = allowedKeys.contains(key) || knownKeys.contains(key);
        Long older = liveByKey.get(key);
        boolean olderProvisional = older != null && provisionalConns.containsKey(older);
        if (!full) {
            if (!allowedKeys.isEmpty()) {
                return new Login.Refused("key not allowed on this relay");
            }
            if (!olderProvisional && (provisionalConns.size() >= limits.maxProvisional()
                    || provisionalPerIp.getOrDefault(ip, 0) >= limits.maxProvisionalPerIp())) {
                return new Login.Refused("too many logins of unregistered keys; register or try later");
            }
        }
        if (olderProvisional) {
            release(older); // the older connection of this key goes; its slot with it
        }
        if (!full) {
            provisionalConns.put(conn, ip);
            provisionalPerIp.merge(ip, 1, Integer::sum);
        }
        liveByKey.put(key, conn);
        long replaced = older == null ? -1 : older;
        return full ? new Login.Full(replaced) : new Login.Provisional(replaced);
    }

    /**
     * The registry answered register_ok for {@code key} on connection {@code conn}: promoted if it was
     * provisional, and remembered (while {@link RelayLimits#maxKnownKeys} allows) so its next login is full.
     */
    public synchronized void registered(long conn, Key key) {
        release(conn);
        if (knownKeys.size() < limits.maxKnownKeys()) {
            knownKeys.add(key);
        }
    }

    /**
     * The registry confirmed that {@code key} is registered (a look-up of the node id the Worker named):
     * remembered while {@link RelayLimits#maxKnownKeys} allows, so this login and later ones are full.
     */
    public synchronized void remember(Key key) {
        if (knownKeys.size() < limits.maxKnownKeys()) {
            knownKeys.add(key);
        }
    }

    /** A logged-in connection ended (closed or replaced). */
    public synchronized void loggedOut(long conn, Key key) {
        liveByKey.remove(key, conn);
        release(conn);
    }

    private void release(long conn) {
        String ip = provisionalConns.remove(conn);
        if (ip != null) {
            provisionalPerIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    public synchronized boolean isProvisional(long conn) {
        return provisionalConns.containsKey(conn);
    }

    public synchronized int provisionalLogins() {
        return provisionalConns.size();
    }

    public synchronized int liveKeys() {
        return liveByKey.size();
    }

    public synchronized boolean isKnown(Key key) {
        return knownKeys.contains(key) || allowedKeys.contains(key);
    }
}
