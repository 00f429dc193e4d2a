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
 * @param node    our node id
 * @param profile our default wire profile
 */
public record SessionSnapshot(int node, WireProfile profile, List<Entry> peers) {
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

    /** One peer's established session: where it is, the key it proved, and the key state. */
    public record Entry(int node, boolean confirmed, WireProfile profile, Endpoint endpoint, byte[] ed25519,
                        byte[] peerX25519, byte[] key, byte[] noncePrefix, long reservedUpTo, long receiveHighWater,
                        long createdAt) {
        /** The key material stays out of logs. */
        @Override
        public String toString() {
            return "Entry[node=" + Integer.toUnsignedString(node) + ", endpoint=" + endpoint + "]";
        }
    }

    public byte[] encode() {
        int size = HEADER;
        for (Entry e : peers) {
            size += ENTRY_FIXED + e.endpoint().ip().length;
        }
        byte[] out = new byte[size];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        out[4] = (byte) VERSION;
        Bytes.put32(out, 5, node);
        out[9] = (byte) profileCode(profile);
        Bytes.put16(out, 10, peers.size());
        int at = HEADER;
        for (Entry e : peers) {
            byte[] ip = e.endpoint().ip();
            Bytes.put32(out, at, e.node());
            out[at + 4] = (byte) (e.confirmed() ? FLAG_CONFIRMED : 0);
            out[at + 5] = (byte) profileCode(e.profile());
            out[at + 6] = (byte) ip.length;
            System.arraycopy(ip, 0, out, at + 7, ip.length);
            at += 7 + ip.length;
            Bytes.put16(out, at, e.endpoint().port());
            at = put(out, at + 2, e.ed25519());
            at = put(out, at, e.peerX25519());
            at = put(out, at, e.key());
            at = put(out, at, e.noncePrefix());
            Bytes.put64(out, at, e.reservedUpTo());
            Bytes.put64(out, at + 8, e.receiveHighWater());
            Bytes.put64(out, at + 16, e.createdAt());
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
            return Result.fail(ErrorCode.TRUNCATED, "snapshot shorter than its header");
        }
        for (int i = 0; i < 4; i++) {
            if (b[i] != MAGIC[i]) {
                return Result.fail(ErrorCode.BAD_MAGIC, "not a session snapshot");
            }
        }
        if (Bytes.u8(b, 4) != VERSION) {
            return Result.fail(ErrorCode.BAD_VERSION, "snapshot version " + Bytes.u8(b, 4));
        }
        WireProfile profile = profileOf(Bytes.u8(b, 9));
        int count = Bytes.u16(b, 10);
        if (profile == null) {
            return Result.fail(ErrorCode.INVALID_ARGUMENT, "unknown profile code");
        }
        if (count > maxPeers) {
            return Result.fail(ErrorCode.LIMIT_REACHED, "snapshot holds more peers than the table");
        }
        List<Entry> peers = new ArrayList<>(count);
        int at = HEADER;
        for (int i = 0; i < count; i++) {
            if (b.length - at < ENTRY_FIXED + 4) {
                return Result.fail(ErrorCode.TRUNCATED, "snapshot entry " + i + " cut short");
            }
            int ipLen = Bytes.u8(b, at + 6);
            if (ipLen != 4 && ipLen != 16) {
                return Result.fail(ErrorCode.INVALID_ARGUMENT, "endpoint address must be 4 or 16 bytes");
            }
            if (b.length - at < ENTRY_FIXED + ipLen) {
                return Result.fail(ErrorCode.TRUNCATED, "snapshot entry " + i + " cut short");
            }
            int node = Bytes.i32(b, at);
            int flags = Bytes.u8(b, at + 4);
            WireProfile p = profileOf(Bytes.u8(b, at + 5));
            int port = Bytes.u16(b, at + 7 + ipLen);
            if (p == null || (flags & ~FLAG_CONFIRMED) != 0 || !Ports.isValid(port)) {
                return Result.fail(ErrorCode.INVALID_ARGUMENT, "snapshot entry " + i + " has a field out of range");
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
            return Result.fail(ErrorCode.BAD_LENGTH, "bytes after the last snapshot entry");
        }
        return Result.ok(new SessionSnapshot(Bytes.i32(b, 5), profile, List.copyOf(peers)));
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
