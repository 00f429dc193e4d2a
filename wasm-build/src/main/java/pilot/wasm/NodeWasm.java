package pilot.wasm;

import java.util.ArrayList;
import java.util.List;
import org.teavm.jso.JSExport;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.DrbgEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.node.NodeConfig;
import pilot.core.node.NodeEvent;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;

/**
 * The production face of core-logic (pilot-core.wasm, what a Worker ships): the node and the two
 * Ed25519 calls a Worker needs for the registry. Everything else (vectors, transcripts, the simulation)
 * lives in {@link ConformanceWasm}, a separate module, so it costs a Worker nothing.
 *
 * <p>One error convention for every export (shared with {@link ConformanceWasm}): a number is the result
 * when {@code >= 0} and minus an {@link ErrorCode} when negative; a byte array is null when there is
 * nothing (or the input was refused). Nothing throws across the boundary on bad input. No strings cross
 * per packet: endpoints, events and statistics are byte layouts ({@link Layouts}), and polls return
 * batches. Times are milliseconds as doubles; profiles are {@link WireProfile} ordinals.
 */
public final class NodeWasm {
    private static final CryptoSuite SUITE = new BouncyCastleSuite();
    private static final int INVALID = -ErrorCode.INVALID_ARGUMENT.code();

    private NodeWasm() {
    }

    public static void main(String[] args) {
        // TeaVM needs an entry point; everything is reached through the exports below.
    }

    /** A plain class, not a record: a record's generated equals/hashCode/toString would ship in the module. */
    private static final class Node {
        private final PilotNode node;
        private final PinnedTrust trust;
        private final DrbgEntropy entropy;

        Node(PilotNode node, PinnedTrust trust, DrbgEntropy entropy) {
            this.node = node;
            this.trust = trust;
            this.entropy = entropy;
        }

        PilotNode node() {
            return node;
        }

        PinnedTrust trust() {
            return trust;
        }

        DrbgEntropy entropy() {
            return entropy;
        }
    }

    // ------------------------------------------------------------------ handles and identity

    @JSExport
    public static int liveHandles() {
        return Handles.count();
    }

    @JSExport
    public static void free(int handle) {
        Handles.free(handle);
    }

    @JSExport
    public static byte[] ed25519Public(byte[] seed) {
        return seed == null || seed.length != 32 ? null : SUITE.ed25519(seed).publicKey();
    }

    @JSExport
    public static byte[] ed25519Sign(byte[] seed, byte[] message) {
        return seed == null || seed.length != 32 || message == null ? null : SUITE.ed25519(seed).sign(message);
    }

    /** {@code network * 2^32 + node} (exact in a double: the network has 16 bits), or minus an error code. */
    @JSExport
    public static double addressParse(String text) {
        Result<Address> r = Address.parse(text);
        return r.isOk() ? packAddress(r.value()) : -r.error().code();
    }

    // ------------------------------------------------------------------ the node

    /**
     * A node for our identity. {@code entropySeed} must be at least 32 bytes from a CSPRNG
     * ({@code crypto.getRandomValues}); returns a handle, or minus an error code.
     */
    @JSExport
    public static int nodeNew(int node, int network, byte[] identitySeed, byte[] entropySeed, int profile, boolean echo) {
        WireProfile p = profile(profile);
        if (p == null || identitySeed == null || identitySeed.length != 32 || entropySeed == null || entropySeed.length < 32
                || network < 0 || network > 0xFFFF) {
            return INVALID;
        }
        PinnedTrust trust = new PinnedTrust();
        DrbgEntropy entropy = new DrbgEntropy(SUITE, entropySeed);
        LocalIdentity id = new LocalIdentity(node, SUITE.ed25519(identitySeed));
        trust.pin(node, id.publicKey());
        PilotNode n = new PilotNode(NodeConfig.DEFAULTS.withProfile(p).withEcho(echo), id, network, SUITE, entropy, trust);
        return Handles.put(new Node(n, trust, entropy));
    }

    @JSExport
    public static int nodeReseed(int handle, byte[] randomBytes) {
        Node n = node(handle);
        if (n == null || randomBytes == null) {
            return INVALID;
        }
        n.entropy().reseed(randomBytes);
        return 0;
    }

    @JSExport
    public static int nodeTrust(int handle, int peer, byte[] ed25519) {
        Node n = node(handle);
        if (n == null || ed25519 == null || ed25519.length != 32) {
            return INVALID;
        }
        n.trust().pin(peer, ed25519);
        return 0;
    }

    @JSExport
    public static int nodeSetProfile(int handle, int peer, int profile) {
        Node n = node(handle);
        WireProfile p = profile(profile);
        if (n == null || p == null) {
            return INVALID;
        }
        n.node().setProfile(peer, p);
        return 0;
    }

    /** {@code endpoint} = {@code ipLen(1) ‖ ip ‖ port(2)}. 0, or minus an error code. */
    @JSExport
    public static int nodeAddPeer(int handle, int peer, byte[] endpoint, double now) {
        Node n = node(handle);
        Endpoint e = Layouts.endpoint(endpoint);
        if (n == null || e == null) {
            return INVALID;
        }
        n.node().addPeer(peer, e, (long) now);
        return 0;
    }

    @JSExport
    public static int nodePeerLookupFailed(int handle, int peer, double now) {
        Node n = node(handle);
        if (n == null) {
            return INVALID;
        }
        n.node().peerLookupFailed(peer, (long) now);
        return 0;
    }

    /** {@code message} = {@code ipLen(1) ‖ ip ‖ port(2) ‖ datagram}, the relay's layout. 0, or minus an error code. */
    @JSExport
    public static int nodeHandleDatagram(int handle, byte[] message, double now) {
        Node n = node(handle);
        Endpoint from = Layouts.endpoint(message);
        if (n == null || from == null) {
            return INVALID;
        }
        int at = Layouts.endpointSize(message);
        byte[] datagram = new byte[message.length - at];
        System.arraycopy(message, at, datagram, 0, datagram.length);
        n.node().handleDatagram(from, datagram, (long) now);
        return 0;
    }

    /**
     * Every queued datagram, up to {@link Layouts#POLL_BATCH_BYTES} (poll again for more): records of
     * {@code length(4) ‖ ipLen(1) ‖ ip ‖ port(2) ‖ datagram}; null when nothing is queued.
     */
    @JSExport
    public static byte[] nodePollTransmits(int handle) {
        Node n = node(handle);
        if (n == null) {
            return null;
        }
        List<Transmit> batch = new ArrayList<>();
        int size = 0;
        for (Transmit t = n.node().pollTransmit(); t != null; t = size >= Layouts.POLL_BATCH_BYTES ? null : n.node().pollTransmit()) {
            batch.add(t);
            size += Layouts.RECORD_PREFIX + Layouts.transmitSize(t);
        }
        if (batch.isEmpty()) {
            return null;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (Transmit t : batch) {
            int len = Layouts.transmit(t, out, at + Layouts.RECORD_PREFIX);
            pilot.core.wire.Bytes.put32(out, at, len);
            at += Layouts.RECORD_PREFIX + len;
        }
        return out;
    }

    /**
     * Every queued event, up to {@link Layouts#POLL_BATCH_BYTES} (poll again for more): records of
     * {@code length(4) ‖ event} (layout: {@link Layouts#event}); null when nothing is queued.
     */
    @JSExport
    public static byte[] nodePollEvents(int handle) {
        Node n = node(handle);
        if (n == null) {
            return null;
        }
        List<NodeEvent> batch = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        int size = 0;
        for (NodeEvent e = n.node().pollEvent(); e != null; e = size >= Layouts.POLL_BATCH_BYTES ? null : n.node().pollEvent()) {
            byte[] d = e.data();
            batch.add(e);
            data.add(d);
            size += Layouts.RECORD_PREFIX + Layouts.eventSize(d);
        }
        if (batch.isEmpty()) {
            return null;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (int i = 0; i < batch.size(); i++) {
            int len = Layouts.event(batch.get(i), data.get(i), out, at + Layouts.RECORD_PREFIX);
            pilot.core.wire.Bytes.put32(out, at, len);
            at += Layouts.RECORD_PREFIX + len;
        }
        return out;
    }

    /** Milliseconds of the next deadline, or -1 when nothing is scheduled. */
    @JSExport
    public static double nodeNextDeadline(int handle) {
        Node n = node(handle);
        long d = n == null ? Long.MAX_VALUE : n.node().nextDeadline();
        return d == Long.MAX_VALUE ? -1 : d;
    }

    @JSExport
    public static int nodeHandleTimeout(int handle, double now) {
        Node n = node(handle);
        if (n == null) {
            return INVALID;
        }
        n.node().handleTimeout((long) now);
        return 0;
    }

    @JSExport
    public static int nodeListen(int handle, int port) {
        Node n = node(handle);
        return n == null ? INVALID : orError(n.node().listen(port), 0);
    }

    /** A stream id (> 0), or minus an error code. */
    @JSExport
    public static int nodeOpenStream(int handle, int network, int peer, int port, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? INVALID
                : idOrError(n.node().openStream(new Address(network, peer), port, (long) now));
    }

    /** Bytes accepted (0 = wait for STREAM_WRITABLE), or minus an error code. */
    @JSExport
    public static int nodeWrite(int handle, int stream, byte[] data, double now) {
        Node n = node(handle);
        return n == null ? INVALID : idOrError(n.node().write(stream, data, (long) now));
    }

    /** Up to {@code max} bytes (possibly none), or null for an unknown stream. */
    @JSExport
    public static byte[] nodeRead(int handle, int stream, int max, double now) {
        Node n = node(handle);
        return n == null ? null : n.node().read(stream, max, (long) now).valueOrNull();
    }

    @JSExport
    public static boolean nodeAtEof(int handle, int stream) {
        Node n = node(handle);
        return n == null || n.node().atEof(stream);
    }

    /** Ends a stream as {@code mode} says (a {@link CloseMode} ordinal). 0, or minus an error code. */
    @JSExport
    public static int nodeCloseStream(int handle, int stream, int mode, double now) {
        Node n = node(handle);
        CloseMode[] modes = CloseMode.values();
        if (n == null || mode < 0 || mode >= modes.length) {
            return INVALID;
        }
        n.node().closeStream(stream, modes[mode], (long) now);
        return 0;
    }

    /**
     * Makes a stream a request/reply exchange (see ReplyPolicy): {@code expectBytes} -2 echo, -1 unknown,
     * else the reply's length. 0, or minus an error code.
     */
    @JSExport
    public static int nodeExpectReply(int handle, int stream, double expectBytes, int maxAheadBytes, double quietMillis,
                                      double now) {
        Node n = node(handle);
        if (n == null || !(expectBytes >= ReplyPolicy.ECHO) || expectBytes > 9.0e15 || maxAheadBytes < 0
                || !(quietMillis >= 0) || quietMillis > 9.0e15) {
            return INVALID;
        }
        return orError(n.node().expectReply(stream, new ReplyPolicy((long) expectBytes, maxAheadBytes, (long) quietMillis),
                (long) now), 0);
    }

    /** Graceful shutdown: sends every pending delayed ACK now; true when no stream has anything of ours in flight. */
    @JSExport
    public static boolean nodeFlushStreams(int handle, double now) {
        Node n = node(handle);
        if (n == null) {
            return true;
        }
        n.node().flushStreams((long) now);
        return n.node().streamsSettled();
    }

    @JSExport
    public static int nodeAbortStream(int handle, int stream, double now) {
        Node n = node(handle);
        if (n == null) {
            return INVALID;
        }
        n.node().abortStream(stream, (long) now);
        return 0;
    }

    /** Our source port, or minus an error code. */
    @JSExport
    public static int nodeSendDatagram(int handle, int network, int peer, int port, byte[] data, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? INVALID
                : idOrError(n.node().sendDatagram(new Address(network, peer), port, data, (long) now));
    }

    /** A ping id (PONG / PING_TIMEOUT carry it), or minus an error code. */
    @JSExport
    public static int nodePing(int handle, int network, int peer, double now) {
        Node n = node(handle);
        return n == null || network < 0 || network > 0xFFFF ? INVALID
                : idOrError(n.node().ping(new Address(network, peer), (long) now));
    }

    /** Layout: {@link Layouts#stats}; null for an unknown handle. */
    @JSExport
    public static byte[] nodeStats(int handle) {
        Node n = node(handle);
        return n == null ? null : Layouts.stats(n.node());
    }

    @JSExport
    public static boolean nodeHasSession(int handle, int peer) {
        Node n = node(handle);
        return n != null && n.node().hasSession(peer);
    }

    // ------------------------------------------------------------------ helpers

    static WireProfile profile(int ordinal) {
        WireProfile[] all = WireProfile.values();
        return ordinal < 0 || ordinal >= all.length ? null : all[ordinal];
    }

    static double packAddress(Address a) {
        return a.network() * 4294967296.0 + a.nodeUnsigned();
    }

    private static Node node(int handle) {
        return Handles.get(handle) instanceof Node n ? n : null;
    }

    private static int orError(Result<?> r, int ok) {
        return r.isOk() ? ok : -r.error().code();
    }

    private static int idOrError(Result<Integer> r) {
        return r.isOk() ? r.value() : -r.error().code();
    }
}
