package pilot.host.relay;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When to dial one dial-in Worker and what to hold for it meanwhile, as a pure state machine (no sockets,
 * no clock: time is an argument). {@link RelayServer} asks it and does the IO.
 *
 * <p>Phases: {@code FIRST_DIAL} from the accepted {@code dial_in} until the first dialled login succeeds
 * (a failure there forgets the dial-in: nothing is parked for a Worker that never proved it can be
 * reached at its URL); {@code CONNECTED} while a dialled connection is logged in; {@code PARKED} after it
 * dropped, until a redial succeeds or {@link RelayLimits.DialIn#parkTtlMillis} passes. Redials: after
 * {@link RelayLimits.DialIn#minRedialMillis}, the delay doubling up to {@link RelayLimits.DialIn#maxBackoffMillis};
 * a frame for the parked endpoint makes the next dial due at once, but never sooner than
 * {@code minRedialMillis} after the last one began, and not at all once failed redials have backed off to
 * {@code maxBackoffMillis} (a Worker that refuses every dial is then dialled once a backoff, whoever sends
 * frames to its endpoint). Queue: at most {@code queueFrames} packed messages and
 * {@code queueBytes} bytes; beyond, the oldest go (counted). Not thread-safe: the caller holds its lock.
 */
public final class DialInPolicy {
    /** Where the dial-in stands. */
    public enum Phase { FIRST_DIAL, CONNECTED, PARKED }

    private final RelayLimits.DialIn limits;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private Phase phase = Phase.FIRST_DIAL;
    private boolean dialing;
    private long nextDelay;
    /** The current wait is the full backoff after failed redials: traffic no longer shortens it. */
    private boolean backedOff;
    private long nextDialAt;
    private long lastDialAt;
    private boolean dialledOnce;
    private long parkedSince;
    private int queuedBytes;
    private long droppedFrames;

    public DialInPolicy(RelayLimits.DialIn limits, long now) {
        this.limits = limits;
        this.nextDelay = limits.minRedialMillis();
        this.nextDialAt = now; // the first dial goes at once
    }

    public Phase phase() {
        return phase;
    }

    /** A dial should start now: none in flight, not connected, its time has come, not sooner than the minimum. */
    public boolean dialDue(long now) {
        return !dialing && phase != Phase.CONNECTED && now >= nextDialAt
                && (!dialledOnce || now - lastDialAt >= limits.minRedialMillis());
    }

    public void dialStarted(long now) {
        dialing = true;
        dialledOnce = true;
        lastDialAt = now;
    }

    public boolean dialing() {
        return dialing;
    }

    /** The dialled connection logged in: the backoff starts over. */
    public void connected(long now) {
        dialing = false;
        phase = Phase.CONNECTED;
        nextDelay = limits.minRedialMillis();
        backedOff = false;
    }

    /**
     * A dial failed or the dialled connection ended. False: forget the dial-in (its first dial failed);
     * otherwise it is parked and the next dial is scheduled.
     */
    public boolean lost(long now) {
        dialing = false;
        if (phase == Phase.FIRST_DIAL) {
            return false;
        }
        if (phase == Phase.CONNECTED) {
            phase = Phase.PARKED;
            parkedSince = now;
        }
        backedOff = nextDelay >= limits.maxBackoffMillis();
        nextDialAt = now + nextDelay;
        nextDelay = Math.min(2 * nextDelay, limits.maxBackoffMillis());
        return true;
    }

    /** When the next dial is due (meaningful while not connected and no dial in flight). */
    public long nextDialAt() {
        return Math.max(nextDialAt, dialledOnce ? lastDialAt + limits.minRedialMillis() : nextDialAt);
    }

    /** Parked longer than the TTL without a successful dial-in. */
    public boolean expired(long now) {
        return phase == Phase.PARKED && now - parkedSince > limits.parkTtlMillis();
    }

    /**
     * Holds one packed message ({@code ipLen ‖ ip ‖ port ‖ frame}) for the parked endpoint, dropping the oldest
     * beyond the bounds, and makes the next dial due at once (wake on traffic). Returns how many were dropped.
     */
    public int offer(byte[] packed, long now) {
        int dropped = 0;
        if (packed.length > limits.queueBytes()) {
            droppedFrames++;
            return 1;
        }
        while (queue.size() >= limits.queueFrames() || queuedBytes + packed.length > limits.queueBytes()) {
            queuedBytes -= queue.removeFirst().length;
            dropped++;
        }
        queue.addLast(packed);
        queuedBytes += packed.length;
        droppedFrames += dropped;
        if (phase == Phase.PARKED && !dialing && !backedOff) {
            nextDialAt = Math.min(nextDialAt, now);
        }
        return dropped;
    }

    /** Everything queued, oldest first; the queue is empty after. */
    public List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>(queue);
        queue.clear();
        queuedBytes = 0;
        return out;
    }

    public int queuedFrames() {
        return queue.size();
    }

    public int queuedBytes() {
        return queuedBytes;
    }

    /** Frames dropped from (or never let into) the queue since the dial-in began. */
    public long droppedFrames() {
        return droppedFrames;
    }

    /**
     * The WebSocket URI to dial for {@code url}, or null when the relay must refuse it: longer than
     * {@link RelayLimits#MAX_DIAL_IN_URL}, not an absolute http(s) URL with a host, with user info or a
     * fragment, or not starting with one of the operator's {@code prefixes} (compared as text, exactly).
     * http becomes ws, https wss.
     */
    public static URI dialUri(String url, List<String> prefixes) {
        if (url == null || url.length() > RelayLimits.MAX_DIAL_IN_URL || prefixes.stream().noneMatch(url::startsWith)) {
            return null;
        }
        URI u = httpUri(url);
        if (u == null) {
            return null;
        }
        try {
            return new URI((u.getScheme().equalsIgnoreCase("https") ? "wss" : "ws") + url.substring(u.getScheme().length()));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Whether {@code prefix} may be given to {@code --dial-in-allow}: an absolute http(s) URL with a host and a
     * path that begins with {@code /}, so every URL that starts with it names the same host and port.
     */
    public static boolean validPrefix(String prefix) {
        URI u = httpUri(prefix);
        return u != null && u.getRawPath() != null && u.getRawPath().startsWith("/") && u.getRawQuery() == null;
    }

    /** {@code text} as an absolute http or https URI with a host, no user info and no fragment; otherwise null. */
    private static URI httpUri(String text) {
        try {
            URI u = new URI(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            boolean ok = (scheme.equals("http") || scheme.equals("https")) && u.getHost() != null
                    && u.getRawUserInfo() == null && u.getRawFragment() == null;
            return ok ? u : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
