package pilot.host.relay;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the relay has done since it started, as plain atomic counters: cheap on the hot path (one
 * increment per frame), read by logs, tests and the Prometheus collector ({@code pilot.host.metrics}).
 * Fixed size: one slot per enum constant, whatever traffic arrives.
 */
public final class RelayCounters {
    /** Which way a frame or datagram was going. */
    public enum Direction {
        /** From a Worker's WebSocket out of its UDP endpoint. */
        OUT,
        /** From the network at a Worker's UDP endpoint onto its WebSocket. */
        IN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why a frame or datagram was dropped (each a bound or a rule in docs/SECURITY.md, "Relay"). */
    public enum DropReason {
        /** A provisional Worker sent a frame before its register_ok. */
        NOT_REGISTERED_YET,
        /** The destination address in the Worker's message did not parse. */
        BAD_ADDRESS,
        /** Not a well-formed forwardable Pilot frame ({@link WorkerPolicy.Verdict#NOT_A_PILOT_FRAME}). */
        NOT_A_PILOT_FRAME,
        /** The endpoint is not on the Worker's allow-list. */
        NOT_ALLOWED,
        /** Over the frame rate ({@code packetsPerSecond} or {@code strangerFramesPerSecond}). */
        RATE,
        /** The allow-list is full ({@code maxDestinations}). */
        ALLOW_LIST_FULL, // a registry answer named a peer, but the Worker's list of resolved peers is full
        /** Too many strangers answerable at once ({@code maxPendingPeers}). */
        PENDING_FULL,
        /** The Worker's queue, or all Workers' queues, are full ({@code maxQueuedBytes}, {@code maxTotalQueuedBytes}). */
        QUEUE_FULL,
        /** A parked dial-in endpoint's queue was full: the oldest held frame went ({@code DIAL_IN_QUEUE_*}). */
        PARKED_QUEUE_FULL,
        /**
         * A datagram reached a dial-in endpoint while it changed hands (a newer login of the key took it over, or it
         * went back to its outbound login) and before its new owner watched it.
         */
        HANDOVER,
        /** The UDP socket's send buffer was full. */
        UDP_BUFFER_FULL,
        /** The UDP send failed. */
        UDP_SEND_FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static DropReason of(WorkerPolicy.Verdict v) {
            return switch (v) {
                case NOT_A_PILOT_FRAME -> NOT_A_PILOT_FRAME;
                case NOT_ALLOWED -> NOT_ALLOWED;
                case RATE -> RATE;
                case PENDING_FULL -> PENDING_FULL;
                case FORWARD -> throw new IllegalArgumentException("a forwarded frame is no drop");
            };
        }
    }

    /** How a login whose message arrived ended. */
    public enum LoginOutcome {
        /** Served in full (allow-listed, known or registered key). */
        FULL,
        /** Admitted provisionally (may only register its key). */
        PROVISIONAL,
        /** Refused: rate, malformed, bad signature, or the policy said no. */
        REFUSED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int DIRECTIONS = Direction.values().length;
    private final AtomicLongArray frames = new AtomicLongArray(DIRECTIONS);
    private final AtomicLongArray bytes = new AtomicLongArray(DIRECTIONS);
    private final AtomicLongArray drops = new AtomicLongArray(DIRECTIONS * DropReason.values().length);
    private final AtomicLongArray logins = new AtomicLongArray(LoginOutcome.values().length);
    /** WebSocket connections that completed the upgrade on the relay path (whatever became of them). */
    final AtomicLong connectionsOpened = new AtomicLong();
    /** Connections refused at once because the relay held {@code maxConnections}. */
    final AtomicLong connectionsRefusedFull = new AtomicLong();
    /** Connections closed because {@code MAX_QUEUED_ANSWERS} answers were waiting for a client that did not read. */
    final AtomicLong closedNotReading = new AtomicLong();

    void forwarded(Direction d, int frameBytes) {
        frames.incrementAndGet(d.ordinal());
        bytes.addAndGet(d.ordinal(), frameBytes);
    }

    void dropped(Direction d, DropReason r) {
        drops.incrementAndGet(d.ordinal() * DropReason.values().length + r.ordinal());
    }

    void login(LoginOutcome o) {
        logins.incrementAndGet(o.ordinal());
    }

    public long frames(Direction d) {
        return frames.get(d.ordinal());
    }

    public long bytes(Direction d) {
        return bytes.get(d.ordinal());
    }

    public long drops(Direction d, DropReason r) {
        return drops.get(d.ordinal() * DropReason.values().length + r.ordinal());
    }

    public long logins(LoginOutcome o) {
        return logins.get(o.ordinal());
    }

    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    public long connectionsRefusedFull() {
        return connectionsRefusedFull.get();
    }

    public long closedNotReading() {
        return closedNotReading.get();
    }
}
