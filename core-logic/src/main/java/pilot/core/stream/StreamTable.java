package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Ports;
import pilot.core.wire.Packet;

/**
 * All streams of one node behind one API: every call routed to its stream, found and retired by
 * {@link StreamIndex}; a SYN opens a stream on one of the {@link ListeningPorts} if {@link SynAdmission}
 * lets it, a dial takes a port from {@link EphemeralPorts}. Packets and signals queue in one {@link Outbox}, which the owner drains with
 * {@link #poll()} after every call: nothing here calls back up. Single-threaded.
 */
public final class StreamTable {
    /**
     * Limits of spec G.3 (listener steps 3-4), and ours per peer (a probe on Nov 30 had one session hold a
     * port's 1,024 with SYNs it never acknowledged, at its allowed 10/s).
     *
     * @param maxStreamsPerPeer  streams one peer node may hold with us, on every port (RST beyond)
     * @param maxHalfOpenPerPeer streams one peer opened whose SYN|ACK it has not answered (dropped beyond)
     * @param halfOpenMillis     how long such a stream waits for the answer before it is forgotten silently
     */
    public record Limits(int maxStreams, int maxStreamsPerPort, int synPerSecond, int synPerSourcePerSecond,
                         int maxSynSources, int maxStreamsPerPeer, int maxHalfOpenPerPeer, long halfOpenMillis) {
        public static final Limits DEFAULTS = new Limits(4096, 1024, 100, 10, 4096, 256, 32, 5_000);

        /** The per-peer bounds as {@link #DEFAULTS} has them. */
        public Limits(int maxStreams, int maxStreamsPerPort, int synPerSecond, int synPerSourcePerSecond, int maxSynSources) {
            this(maxStreams, maxStreamsPerPort, synPerSecond, synPerSourcePerSecond, maxSynSources, 256, 32, 5_000);
        }
    }

    private final Address local;
    private final StreamConfig cfg;
    /** The configuration of a stream with a given peer node (its segment size follows the peer's generation). */
    private final java.util.function.IntFunction<StreamConfig> cfgFor;
    private final Limits limits;
    private final Outbox out = new Outbox();
    private final ListeningPorts listening = new ListeningPorts();
    private final StreamIndex streams = new StreamIndex();
    private final SynAdmission admission;
    private final EphemeralPorts ephemeral;
    private int nextId = 1;

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
        this.ephemeral = new EphemeralPorts(firstEphemeral);
        this.local = local;
        this.cfg = cfg;
        this.cfgFor = cfgFor;
        this.limits = limits;
        this.admission = new SynAdmission(limits);
    }

    /** The next packet or signal, in the order they arose; {@code null} when all are drained. */
    public StreamOutput poll() {
        return out.poll();
    }

    public StreamConfig config() {
        return cfg;
    }

    public Result<Integer> listen(int port) {
        return listening.add(port);
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
        int port = ephemeral.allocate(streams, listening, remote, remotePort);
        if (port < 0) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "no free ephemeral port");
        }
        int id = nextId++;
        streams.add(Connection.dial(id, local, port, remote, remotePort, cfgFor.apply(remote.node()), out, now));
        return Result.ok(id);
    }

    /** Handles one stream packet addressed to us (spec G.3-G.7). */
    public void onPacket(Packet p, long now) {
        Connection c = streams.byTuple(p.dstPort(), p.src(), p.srcPort());
        boolean syn = p.has(Packet.SYN) && !p.has(Packet.ACK);
        if (c != null && syn && (c.state() == StreamState.TIME_WAIT || c.state() == StreamState.CLOSED)) {
            streams.retire(c);   // the peer reuses the port tuple for a new stream
            c = null;
        }
        if (c != null) {
            c.onPacket(p, now);
            streams.settle(c);
            return;
        }
        if (syn) {
            onNewSyn(p, now);
        } else if (!p.has(Packet.RST) && p.payloadLength() > 0 && !p.has(Packet.FIN)) {
            out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // data for no stream
        }
    }

    private void onNewSyn(Packet p, long now) {
        if (!listening.contains(p.dstPort())) {
            out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // nothing listens (spec G.7)
            return;
        }
        if (!admission.rateAllows(p.src(), now)) {
            out.dropped(ErrorCode.RATE_LIMITED); // silently dropped (spec G.3 listener step 3), counted by the node
            return;
        }
        int verdict = admission.bounds(p.dstPort(), p.src(), streams);
        if (verdict != SynAdmission.ADMIT) {
            out.dropped(ErrorCode.LIMIT_REACHED);
            if (verdict == SynAdmission.RESET) {
                out.send(StreamPackets.rst(local, p.dstPort(), p.src(), p.srcPort())); // spec G.3 listener step 4
            }
            return;
        }
        int id = nextId++;
        streams.add(Connection.accept(id, local, p.dstPort(), p, cfgFor.apply(p.src().node()), out, now,
                now + limits.halfOpenMillis()));
        out.accepted(id, p.dstPort(), p.src(), p.srcPort());
    }

    public Result<Integer> write(int stream, byte[] data, int off, int len, long now) {
        Connection c = streams.byId(stream);
        if (c == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        if (off < 0 || len < 0 || off + len > data.length) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "bad buffer bounds");
        }
        int n = c.write(data, off, len, now);
        streams.settle(c);
        return n < 0 ? Result.fail(ErrorCode.INVALID_STATE, "stream " + stream + " is closed for writing") : Result.ok(n);
    }

    /** Up to {@code max} buffered bytes; an empty array with {@link #atEof} true means the peer finished. */
    public Result<byte[]> read(int stream, int max, long now) {
        Connection c = streams.byId(stream);
        if (c == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        byte[] data = c.read(Math.max(0, max), now);
        streams.releaseIfDone(c);
        return Result.ok(data);
    }

    public boolean atEof(int stream) {
        Connection c = streams.byId(stream);
        return c == null || c.atEof();
    }

    public int readable(int stream) {
        Connection c = streams.byId(stream);
        return c == null ? 0 : c.readable();
    }

    public void close(int stream, long now) {
        Connection c = streams.byId(stream);
        if (c != null) {
            c.close(now);
            streams.settle(c);
        }
    }

    /** Ends a stream as {@code mode} says; {@link #close(int, long)} is {@link CloseMode#HALF}. */
    public void close(int stream, CloseMode mode, long now) {
        Connection c = streams.byId(stream);
        if (c != null) {
            c.close(mode, now);
            streams.settle(c);
        }
    }

    /** Makes a stream a request/reply exchange: echo pacing from now on, and the end of {@link CloseMode#AFTER_REPLY}. */
    public Result<Integer> expectReply(int stream, ReplyPolicy policy, long now) {
        Connection c = streams.byId(stream);
        if (c == null || policy == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "no stream " + stream);
        }
        c.expectReply(policy, now);
        return Result.ok(stream);
    }

    public void abort(int stream, long now) {
        Connection c = streams.byId(stream);
        if (c != null) {
            c.abort(now, ErrorCode.ABORTED);
            streams.retire(c);
        }
    }

    /** Resets every stream with {@code remote} (its tunnel is gone for good). */
    public void failPeer(Address remote, ErrorCode reason, long now) {
        for (Connection c : new ArrayList<>(streams.all())) {
            if (c.remote.equals(remote) && c.state() != StreamState.CLOSED) {
                c.abort(now, reason);
                streams.releaseIfDone(c);
            }
        }
    }

    public StreamState state(int stream) {
        Connection c = streams.byId(stream);
        return c == null ? StreamState.CLOSED : c.state();
    }

    public long nextDeadline() {
        return streams.nextDeadline();
    }

    public void onTimeout(long now) {
        for (Connection c : new ArrayList<>(streams.all())) {
            if (c.nextDeadline() <= now) {
                c.onTimeout(now);
                streams.settle(c);
            }
        }
    }

    /** Sends every pending delayed ACK now (the owner is about to stop). */
    public void flushAcks(long now) {
        for (Connection c : streams.all()) {
            c.flushAck(now);
        }
    }

    /** True when no stream has data, a FIN or an ACK of ours still on its way (graceful shutdown may end). */
    public boolean settled() {
        return streams.settled();
    }

    /** Streams held, including finished ones whose data the application has not read yet. */
    public int streamCount() {
        return streams.size();
    }

    public int activeCount() {
        return streams.active();
    }

    public long bufferedBytes() {
        return streams.bufferedBytes();
    }

    public long refusedSyns() {
        return admission.refused();
    }

    /** The peer nodes of every stream held (their sessions are in use: {@code PeerTable.keepWhileIn}). */
    public java.util.Set<Integer> peerNodes() {
        java.util.Set<Integer> nodes = new java.util.HashSet<>();
        for (Connection c : streams.all()) {
            nodes.add(c.remote.node());
        }
        return nodes;
    }

    public List<Integer> streamIds() {
        return streams.ids();
    }
}
