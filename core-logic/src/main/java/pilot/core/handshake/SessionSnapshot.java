package pilot.core.handshake;

import java.util.ArrayList;
import java.util.List;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.wire.Bytes;

/**
 * The sessions of a node as bytes, so a host that loses the node (a Durable Object evicted) can restore it
 * and keep talking without a new handshake (docs/SPEC-NOTES.md #37 gives the layout byte by byte):
 * <pre>
 *   "PISN"(4) ‖ version(1)=1 ‖ node(4) ‖ profile(1) ‖ count(2) ‖ count × peer
 *   peer = node(4) ‖ flags(1) ‖ profile(1) ‖ ipLen(1) ‖ ip(4|16) ‖ port(2) ‖ ed25519(32) ‖ peerX25519(32)
 *          ‖ key(32) ‖ noncePrefix(4) ‖ reservedUpTo(8) ‖ receiveHighWater(8) ‖ createdAt(8)
 * </pre>
 * Integers big-endian; profile 0 = MODERN, 1 = FEB2026; flags bit 0 = the session was confirmed. Decoding
 * never throws and allocates at most {@code maxPeers} fixed-size entries, after the length was checked.
 *
 * <p>Plain classes, not records: a record's generated equals/hashCode/toString would ship in the wasm module.
 */
public final class SessionSnapshot {
    public static final byte[] MAGIC = {'P', 'I', 'S', 'N'};
    public static final int VERSION = 1;
    static final int HEADER = 12;
    /** An entry without its IP bytes. */
    static final int ENTRY_FIXED = 4 + 1 + 1 + 1 + 2 + 32 + 32 + Session.KEY_SIZE + Session.PREFIX_SIZE + 8 + 8 + 8;
    static final int FLAG_CONFIRMED = 1;
    /** {@link KeyExchange#snapshotDue()}: nothing changed since the last snapshot. */
    public static final int DUE_NONE = 0;
    /** A receive high-water mark advanced: persisting narrows what a restore would accept again. */
    public static final int DUE_ADVISORY = 1;
    /** Persist before this step's datagrams leave: a counter reservation was raised, or a session came or went. */
    public static final int DUE_REQUIRED = 2;

    private final int node;
    private final WireProfile profile;
    private final List<Entry> peers;

    /** {@code node}: our node id; {@code profile}: our default wire profile. */
    public SessionSnapshot(int node, WireProfile profile, List<Entry> peers) {
        this.node = node;
        this.profile = profile;
        this.peers = peers;
    }

    public int node() {
        return node;
    }

    public WireProfile profile() {
        return profile;
    }

    public List<Entry> peers() {
        return peers;
    }

    /** One peer's established session: where it is, the key it proved, and the key state (no toString: keys). */
    public static final class Entry {
        final int node;
        final boolean confirmed;
        final WireProfile profile;
        final Endpoint endpoint;
        final byte[] ed25519;
        final byte[] peerX25519;
        final byte[] key;
        final byte[] noncePrefix;
        final long reservedUpTo;
        final long receiveHighWater;
        final long createdAt;

        public Entry(int node, boolean confirmed, WireProfile profile, Endpoint endpoint, byte[] ed25519, byte[] peerX25519,
                     byte[] key, byte[] noncePrefix, long reservedUpTo, long receiveHighWater, long createdAt) {
            this.node = node;
            this.confirmed = confirmed;
            this.profile = profile;
            this.endpoint = endpoint;
            this.ed25519 = ed25519;
            this.peerX25519 = peerX25519;
            this.key = key;
            this.noncePrefix = noncePrefix;
            this.reservedUpTo = reservedUpTo;
            this.receiveHighWater = receiveHighWater;
            this.createdAt = createdAt;
        }

        public int node() {
            return node;
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        public long reservedUpTo() {
            return reservedUpTo;
        }

        public long receiveHighWater() {
            return receiveHighWater;
        }
    }

    public byte[] encode() {
        int size = HEADER;
        for (Entry e : peers) {
            size += ENTRY_FIXED + e.endpoint.ip().length;
        }
        byte[] out = new byte[size];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        out[4] = (byte) VERSION;
        Bytes.put32(out, 5, node);
        out[9] = (byte) profileCode(profile);
        Bytes.put16(out, 10, peers.size());
        int at = HEADER;
        for (Entry e : peers) {
            byte[] ip = e.endpoint.ip();
            Bytes.put32(out, at, e.node);
            out[at + 4] = (byte) (e.confirmed ? FLAG_CONFIRMED : 0);
            out[at + 5] = (byte) profileCode(e.profile);
            out[at + 6] = (byte) ip.length;
            System.arraycopy(ip, 0, out, at + 7, ip.length);
            at += 7 + ip.length;
            Bytes.put16(out, at, e.endpoint.port());
            at = put(out, at + 2, e.ed25519);
            at = put(out, at, e.peerX25519);
            at = put(out, at, e.key);
            at = put(out, at, e.noncePrefix);
            Bytes.put64(out, at, e.reservedUpTo);
            Bytes.put64(out, at + 8, e.receiveHighWater);
            Bytes.put64(out, at + 16, e.createdAt);
            at += 24;
        }
        return out;
    }

    /**
     * Parses a snapshot: {@link ErrorCode#TRUNCATED} when bytes are missing, {@link ErrorCode#BAD_LENGTH} for
     * trailing bytes, {@link ErrorCode#BAD_MAGIC}, {@link ErrorCode#BAD_VERSION}, {@link ErrorCode#LIMIT_REACHED}
     * for more than {@code maxPeers} entries, {@link ErrorCode#INVALID_ARGUMENT} for a field out of range.
     */
    public static Result<SessionSnapshot> decode(byte[] b, int maxPeers) {
        if (b == null || b.length < HEADER) {
            return Result.fail(ErrorCode.TRUNCATED, "snapshot truncated");
        }
        for (int i = 0; i < 4; i++) {
            if (b[i] != MAGIC[i]) {
                return Result.fail(ErrorCode.BAD_MAGIC, "snapshot magic");
            }
        }
        if (Bytes.u8(b, 4) != VERSION) {
            return Result.fail(ErrorCode.BAD_VERSION, "snapshot version");
        }
        WireProfile profile = profileOf(Bytes.u8(b, 9));
        int count = Bytes.u16(b, 10);
        if (profile == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "snapshot field");
        }
        if (count > maxPeers) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "snapshot peers");
        }
        List<Entry> peers = new ArrayList<>(count);
        int at = HEADER;
        for (int i = 0; i < count; i++) {
            if (b.length - at < ENTRY_FIXED + 4) {
                return Result.fail(ErrorCode.TRUNCATED, "snapshot truncated");
            }
            int ipLen = Bytes.u8(b, at + 6);
            if (ipLen != 4 && ipLen != 16) {
                return Result.fail(ErrorCode.INVALID_ARGUMENT, "snapshot field");
            }
            if (b.length - at < ENTRY_FIXED + ipLen) {
                return Result.fail(ErrorCode.TRUNCATED, "snapshot truncated");
            }
            int node = Bytes.i32(b, at);
            int flags = Bytes.u8(b, at + 4);
            WireProfile p = profileOf(Bytes.u8(b, at + 5));
            int port = Bytes.u16(b, at + 7 + ipLen);
            if (p == null || (flags & ~FLAG_CONFIRMED) != 0 || !Ports.isValid(port)) {
                return Result.fail(ErrorCode.INVALID_ARGUMENT, "snapshot field");
            }
            Endpoint endpoint = new Endpoint(Bytes.slice(b, at + 7, ipLen), port);
            at += 9 + ipLen;
            byte[] ed = Bytes.slice(b, at, 32);
            byte[] x = Bytes.slice(b, at + 32, 32);
            byte[] key = Bytes.slice(b, at + 64, Session.KEY_SIZE);
            byte[] prefix = Bytes.slice(b, at + 96, Session.PREFIX_SIZE);
            at += 100;
            peers.add(new Entry(node, (flags & FLAG_CONFIRMED) != 0, p, endpoint, ed, x, key, prefix,
                    Bytes.i64(b, at), Bytes.i64(b, at + 8), Bytes.i64(b, at + 16)));
            at += 24;
        }
        if (at != b.length) {
            return Result.fail(ErrorCode.BAD_LENGTH, "snapshot length");
        }
        return Result.ok(new SessionSnapshot(Bytes.i32(b, 5), profile, peers));
    }

    private static int put(byte[] out, int at, byte[] v) {
        System.arraycopy(v, 0, out, at, v.length);
        return at + v.length;
    }

    static int profileCode(WireProfile p) {
        return p == WireProfile.MODERN ? 0 : 1;
    }

    static WireProfile profileOf(int code) {
        return code == 0 ? WireProfile.MODERN : code == 1 ? WireProfile.FEB2026 : null;
    }
}
