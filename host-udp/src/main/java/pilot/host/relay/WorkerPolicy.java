package pilot.host.relay;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import pilot.core.frame.FrameKind;
import pilot.core.limit.RateLimiter;

/**
 * What one logged-in Worker's relay connection may carry, as a pure state machine (time is an argument).
 *
 * <p>Allow-list: the endpoints a Worker may send to, and whose frames it receives. An endpoint gets on it
 * only in one of two ways, both the Worker's own doing:
 * <ul>
 *   <li>a registry answer to the Worker's own request names it ({@link #resolved});</li>
 *   <li>it completed a PILA exchange with the Worker, as far as the relay can observe one: a well-formed
 *       PILA from it reached the Worker, and within {@link RelayLimits#pendingPeerMillis} the Worker
 *       answered it with a PILA of its own. The relay cannot tell whether that PILA's key is the one the
 *       registry holds for its node id, but the Worker's node can, and answers only a PILA it accepted.</li>
 * </ul>
 * A stranger reaches the Worker with PILA frames only, at {@link RelayLimits#strangerFramesPerSecond},
 * and takes one of {@link RelayLimits#maxPendingPeers} answerable slots (which expire; none is taken from
 * another stranger). The two ways fill two lists of {@link RelayLimits#maxDestinations} each: resolved
 * peers are refused when their list is full and never evicted; answered peers, when theirs is full, make
 * room by dropping the one idle longest (it can answer again). So whoever completes PILA exchanges with
 * the Worker (registration is open: anyone can hold many keys) can neither evict a peer the Worker
 * resolved nor stop it from resolving new ones, nor lock newcomers out for good.
 *
 * <p>Idle time is measured from the last Pilot frame forwarded in either direction between the Worker and
 * its allow-list: text messages, WebSocket pings and strangers' frames do not keep a connection alive.
 * Not thread-safe by itself: every method is synchronized.
 */
public final class WorkerPolicy {
    /** What to do with one frame. */
    public enum Verdict { FORWARD, NOT_A_PILOT_FRAME, NOT_ALLOWED, RATE, PENDING_FULL }

    private final RelayLimits limits;
    /** Peers the Worker's own registry answers named: never evicted. */
    private final Set<InetSocketAddress> resolvedPeers = new HashSet<>();
    /** Peers whose PILA the Worker answered, in order of their last traffic (access order): idle longest first. */
    private final LinkedHashMap<InetSocketAddress, Boolean> answeredPeers = new LinkedHashMap<>(16, 0.75f, true);
    private final LinkedHashMap<InetSocketAddress, Long> pending = new LinkedHashMap<>();
    private final RateLimiter outRate;
    private final RateLimiter inRate;
    private final RateLimiter strangerRate;
    private long lastTraffic;

    public WorkerPolicy(RelayLimits limits, long now) {
        this.limits = limits;
        this.outRate = new RateLimiter(limits.packetsPerSecond(), 1, 60_000);
        this.inRate = new RateLimiter(limits.packetsPerSecond(), 1, 60_000);
        this.strangerRate = new RateLimiter(limits.strangerFramesPerSecond(), 1, 60_000);
        this.lastTraffic = now;
    }

    /** A registry answer to this Worker named {@code endpoint}; false when the allow-list is full. */
    public synchronized boolean resolved(InetSocketAddress endpoint) {
        if (resolvedPeers.contains(endpoint)) {
            return true;
        }
        if (resolvedPeers.size() >= limits.maxDestinations()) {
            return false;
        }
        pending.remove(endpoint);
        answeredPeers.remove(endpoint);
        return resolvedPeers.add(endpoint);
    }

    /** On either list; an answered peer's use counts as its latest traffic. */
    private boolean allows(InetSocketAddress endpoint) {
        return resolvedPeers.contains(endpoint) || answeredPeers.get(endpoint) != null;
    }

    /** May the Worker send this frame ({@code kind} from core's decoder, null: not a Pilot frame) to {@code to}? */
    public synchronized Verdict outbound(InetSocketAddress to, FrameKind kind, long now) {
        if (!forwardable(kind)) {
            return Verdict.NOT_A_PILOT_FRAME;
        }
        if (!allows(to)) {
            Long since = pending.get(to);
            if (kind != FrameKind.AUTH_KEY || since == null || now - since > limits.pendingPeerMillis()) {
                return Verdict.NOT_ALLOWED;
            }
            if (answeredPeers.size() >= limits.maxDestinations()) {
                Iterator<InetSocketAddress> idlest = answeredPeers.keySet().iterator();
                idlest.next();
                idlest.remove();
            }
            pending.remove(to); // the Worker answered the stranger's PILA: the exchange completed
            answeredPeers.put(to, Boolean.TRUE);
        }
        if (!outRate.allow("", now)) {
            return Verdict.RATE;
        }
        lastTraffic = now;
        return Verdict.FORWARD;
    }

    /** May this datagram from {@code from} reach the Worker? */
    public synchronized Verdict inbound(InetSocketAddress from, FrameKind kind, long now) {
        if (!forwardable(kind)) {
            return Verdict.NOT_A_PILOT_FRAME;
        }
        if (allows(from)) {
            if (!inRate.allow("", now)) {
                return Verdict.RATE;
            }
            lastTraffic = now;
            return Verdict.FORWARD;
        }
        if (kind != FrameKind.AUTH_KEY) {
            return Verdict.NOT_ALLOWED;
        }
        expire(now);
        if (!pending.containsKey(from) && pending.size() >= limits.maxPendingPeers()) {
            return Verdict.PENDING_FULL;
        }
        if (!strangerRate.allow("", now)) {
            return Verdict.RATE;
        }
        pending.putIfAbsent(from, now); // the first PILA opens the window; repeats do not extend it
        return Verdict.FORWARD;
    }

    /** A new login took this policy over (a parked dial-in endpoint): its idle time starts now. */
    public synchronized void loggedIn(long now) {
        lastTraffic = now;
    }

    /** No Pilot frame either way for {@link RelayLimits#idleTimeoutMillis}. */
    public synchronized boolean idle(long now) {
        return now - lastTraffic > limits.idleTimeoutMillis();
    }

    public synchronized boolean isAllowed(InetSocketAddress endpoint) {
        return resolvedPeers.contains(endpoint) || answeredPeers.containsKey(endpoint);
    }

    public synchronized int allowedCount() {
        return resolvedPeers.size() + answeredPeers.size();
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    private void expire(long now) {
        Iterator<Map.Entry<InetSocketAddress, Long>> it = pending.entrySet().iterator();
        while (it.hasNext() && now - it.next().getValue() > limits.pendingPeerMillis()) {
            it.remove(); // insertion order is age order
        }
    }

    /**
     * Frame kinds a Worker and a daemon exchange; beacon messages and unknown magics never pass, nor does
     * PILK: it never creates a session with a Worker, and a 40-byte PILK with a spoofed source is answered
     * with a 136-byte PILA, an amplification the relay would carry.
     */
    static boolean forwardable(FrameKind kind) {
        return kind != null && kind != FrameKind.BEACON && kind != FrameKind.ANON_KEY;
    }
}
