package pilot.core.stream;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.limit.RateLimiter;
import pilot.core.wire.Packet;

/**
 * All streams of one node: listening ports, the (local port, remote address, remote port) lookup of
 * spec A.2, ephemeral port allocation, SYN rate limits and connection bounds (spec G.3). Packets and
 * signals queue in one {@link Outbox}, which the owner drains with {@link #poll()} after every call:
 * nothing here calls back up. Single-threaded.
 */
public final class StreamTable {
    /** Limits of spec G.3 (listener steps 3-4). */
    public record Limits(int maxStreams, int maxStreamsPerPort, int synPerSecond, int synPerSourcePerSecond,
                         int maxSynSources) {
        public static final Limits DEFAULTS = new Limits(4096, 1024, 100, 10, 4096);
    }

    private final Address local;
    private final StreamConfig cfg;
    /** The configuration of a stream with a given peer node (its segment size follows the peer's generation). */
    private final java.util.function.IntFunction<StreamConfig> cfgFor;
    private final Limits limits;
    private final Outbox out = new Outbox();
    private final Set<Integer> listening = new HashSet<>();
    private final Map<Integer, Connection> byId = new LinkedHashMap<>();
    private final Map<String, Connection> byKey = new LinkedHashMap<>();
    private final RateLimiter synGlobal;
    private final RateLimiter synPerSource;
    private int nextId = 1;
    private int nextEphemeral;
    private long refusedSyns;

    /**
     * @param firstEphemeral where ephemeral port allocation starts; a node picks it at random so that a
     *                       restarted process does not reuse the port tuples its previous run left in
     *                       the peers' TIME_WAIT (spec A.2: no peer may rely on the choice)
     */
    public StreamTable(Address local, StreamConfig cfg, Limits limits, int firstEphemeral) {
        this(local, cfg, node -> cfg, limits, firstEphemeral);
    }

    /** @param cfgFor the configuration for streams with one peer node; {@code cfg} is the node-wide default */
    public StreamTable(Address local, StreamConfig cfg, java.util.function.IntFunction<StreamConfig> cfgFor, Limits limits,
                       int firstEphemeral) {
        this.nextEphemeral = Ports.EPHEMERAL_FIRST + Math.floorMod(firstEphemeral, Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST + 1);
        this.local = local;
        this.cfg = cfg;
        this.cfgFor = cfgFor;
        this.limits = limits;
        this.synGlobal = new RateLimiter(limits.synPerSecond(), 1, 10_000);
        this.synPerSource = new RateLimiter(limits.synPerSourcePerSecond(), limits.maxSynSources(), 10_000);
    }

    /** The next packet or signal, in the order they arose; {@code null} when all are drained. */
    public StreamOutput poll() {
        return out.poll();
    }

    public StreamConfig config() {
        return cfg;
    }

    public Result<Integer> listen(int port) {
        if (!Ports.isValid(port) || port == Ports.PING) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "port must be 1..65535: " + port);
        }
        if (!listening.add(port)) {
            return Result.fail(ErrorCode.INVALID_STATE, "port " + port + " already listening");
        }
        return Result.ok(port);
    }

    public void unlisten(int port) {
        listening.remove(port);
    }

    public boolean isListening(int port) {
        return listening.contains(port);
    }

    /** Opens a stream: SYN now, {@link StreamOutput.Opened} or {@link StreamOutput.Closed} later. */
    public Result<Integer> open(Address remote, int remotePort, long now) {
        if (!Ports.isValid(remotePort)) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "port out of range: " + remotePort);
        }
        if (activeCount() >= limits.maxStreams()) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "stream limit " + limits.maxStreams() + " reached");
        }
        int port = allocateEphemeral(remote, remotePort);
        if (port < 0) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "no free ephemeral port");
        }
        int id = nextId++;
        Connection c = Connection.dial(id, local, port, remote, remotePort, cfgFor.apply(remote.node()), out, now);
        byId.put(id, c);
        byKey.put(key(port, remote, remotePort), c);
        return Result.ok(id);
    }

    /** Handles one stream packet addressed to us (spec G.3-G.7). */
    public void onPacket(Packet p, long now) {
        String k = key(p.dstPort(), p.src(), p.srcPort());
        Connection c = byKey.get(k);
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK);
        if (c != null && syn && (c.state() == StreamState.TIME_WAIT || c.state() == StreamState.CLOSED)) {
            retire(c);           // the peer reuses the port tuple for a new stream
            c = null;
        }
        if (c != null) {
            c.onPacket(p, now);
            settle(c, now);
            return;
        }
        if (syn) {
            onNewSyn(p, k, now);
        } else if (!p.has(Packet.RST) && p.payloadLength() > 0 && !p.has(Packet.FIN)) {
            out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // data for no stream
        }
    }

    private void onNewSyn(Packet p, String k, long now) {
        if (!listening.contains(p.dstPort())) {
            out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // nothing listens (spec G.7)
            return;
        }
        if (!synGlobal.allow("", now) || !synPerSource.allow(p.src().toString(), now)) {
            refusedSyns++; // silently dropped (spec G.3 listener step 3)
            return;
        }
        if (activeCount() >= limits.maxStreams() || activeOnPort(p.dstPort()) >= limits.maxStreamsPerPort()) {
            refusedSyns++;
            out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // spec G.3 listener step 4
            return;
        }
        int id = nextId++;
        Connection c = Connection.accept(id, local, p.dstPort(), p, cfgFor.apply(p.src().node()), out, now);
        byId.put(id, c);
        byKey.put(k, c);
        out.accepted(id, p.dstPort(), p.src(), p.srcPort());
    }

    public Result<Integer> write(int stream, byte[] data, int off, int len, long now) {
        Connection c = byId.get(stream);
        if (c == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        if (off < 0 || len < 0 || off + len > data.length) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "bad buffer bounds");
        }
        int n = c.write(data, off, len, now);
        settle(c, now);
        return n < 0 ? Result.fail(ErrorCode.INVALID_STATE, "stream " + stream + " is closed for writing") : Result.ok(n);
    }

    /** Up to {@code max} buffered bytes; an empty array with {@link #atEof} true means the peer finished. */
    public Result<byte[]> read(int stream, int max, long now) {
        Connection c = byId.get(stream);
        if (c == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        byte[] data = c.read(Math.max(0, max), now);
        releaseIfDone(c);
        return Result.ok(data);
    }

    public boolean atEof(int stream) {
        Connection c = byId.get(stream);
        return c == null || c.atEof();
    }

    public int readable(int stream) {
        Connection c = byId.get(stream);
        return c == null ? 0 : c.readable();
    }

    public void close(int stream, long now) {
        Connection c = byId.get(stream);
        if (c != null) {
            c.close(now);
            settle(c, now);
        }
    }

    /** Ends a stream as {@code mode} says; {@link #close(int, long)} is {@link CloseMode#HALF}. */
    public void close(int stream, CloseMode mode, long now) {
        Connection c = byId.get(stream);
        if (c != null) {
            c.close(mode, now);
            settle(c, now);
        }
    }

    /** Makes a stream a request/reply exchange: echo pacing from now on, and the end of {@link CloseMode#AFTER_REPLY}. */
    public Result<Integer> expectReply(int stream, ReplyPolicy policy, long now) {
        Connection c = byId.get(stream);
        if (c == null || policy == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        c.expectReply(policy, now);
        return Result.ok(stream);
    }

    public void abort(int stream, long now) {
        Connection c = byId.get(stream);
        if (c != null) {
            c.abort(now, ErrorCode.ABORTED);
            retire(c);
        }
    }

    /** Resets every stream with {@code remote} (its tunnel is gone for good). */
    public void failPeer(Address remote, ErrorCode reason, long now) {
        for (Connection c : new ArrayList<>(byId.values())) {
            if (c.remote.equals(remote) && c.state() != StreamState.CLOSED) {
                c.abort(now, reason);
                releaseIfDone(c);
            }
        }
    }

    public StreamState state(int stream) {
        Connection c = byId.get(stream);
        return c == null ? StreamState.CLOSED : c.state();
    }

    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Connection c : byId.values()) {
            d = Math.min(d, c.nextDeadline());
        }
        return d;
    }

    public void onTimeout(long now) {
        for (Connection c : new ArrayList<>(byId.values())) {
            if (c.nextDeadline() <= now) {
                c.onTimeout(now);
                settle(c, now);
            }
        }
    }

    /** Sends every pending delayed ACK now (the owner is about to stop). */
    public void flushAcks(long now) {
        for (Connection c : byId.values()) {
            c.flushAck(now);
        }
    }

    /** True when no stream has data, a FIN or an ACK of ours still on its way (graceful shutdown may end). */
    public boolean settled() {
        for (Connection c : byId.values()) {
            if (!c.settled()) {
                return false;
            }
        }
        return true;
    }

    /** Streams held, including finished ones whose data the application has not read yet. */
    public int streamCount() {
        return byId.size();
    }

    public int activeCount() {
        int n = 0;
        for (Connection c : byId.values()) {
            if (c.state() != StreamState.CLOSED && c.state() != StreamState.TIME_WAIT) {
                n++;
            }
        }
        return n;
    }

    public long bufferedBytes() {
        long n = 0;
        for (Connection c : byId.values()) {
            n += c.bufferedBytes();
        }
        return n;
    }

    public long refusedSyns() {
        return refusedSyns;
    }

    public List<Integer> streamIds() {
        return new ArrayList<>(byId.keySet());
    }

    /** After every step: a stream that reached CLOSED leaves the port lookup (its entry actions already ran). */
    private void settle(Connection c, long now) {
        if (c.state() == StreamState.CLOSED) {
            byKey.remove(key(c.localPort, c.remote, c.remotePort), c);
            releaseIfDone(c);
        }
    }

    /** A closed stream stays readable until its data is read (or it ended abnormally). */
    private void releaseIfDone(Connection c) {
        if (c.state() == StreamState.CLOSED && (c.readable() == 0 || c.closeReason() != null)) {
            retire(c);
        }
    }

    private void retire(Connection c) {
        byId.remove(c.id);
        byKey.remove(key(c.localPort, c.remote, c.remotePort), c);
    }

    private int activeOnPort(int port) {
        int n = 0;
        for (Connection c : byId.values()) {
            if (c.localPort == port && c.state() != StreamState.CLOSED && c.state() != StreamState.TIME_WAIT) {
                n++;
            }
        }
        return n;
    }

    /** Next free ephemeral port, wrapping (spec A.2); -1 when all 16,384 are in use with this peer. */
    private int allocateEphemeral(Address remote, int remotePort) {
        for (int i = 0; i <= Ports.EPHEMERAL_LAST - Ports.EPHEMERAL_FIRST; i++) {
            int port = nextEphemeral;
            nextEphemeral = nextEphemeral == Ports.EPHEMERAL_LAST ? Ports.EPHEMERAL_FIRST : nextEphemeral + 1;
            if (!byKey.containsKey(key(port, remote, remotePort)) && !listening.contains(port)) {
                return port;
            }
        }
        return -1;
    }

    private static String key(int localPort, Address remote, int remotePort) {
        return localPort + "/" + remote.network() + "/" + remote.node() + "/" + remotePort;
    }
}
