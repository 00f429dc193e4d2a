package pilot.core.json;

import java.util.LinkedHashMap;
import java.util.Map;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.BeaconFrame;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;

/**
 * The JSON shapes of the language-neutral vectors (test-vectors/generated), shared by the generator and
 * by the wasm facade so that both runtimes describe results with the very same fields.
 */
public final class WireJson {
    private WireJson() {
    }

    /** {@code ok, error, error_code} of a result. */
    public static Map<String, Object> result(Result<?> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", r.isOk());
        m.put("error", r.isOk() ? null : r.error().name());
        m.put("error_code", r.isOk() ? null : (long) r.error().code());
        return m;
    }

    public static Map<String, Object> packetFields(Packet p) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("flags", (long) p.flags());
        f.put("protocol", (long) p.protocol());
        f.put("src", p.src().toString());
        f.put("dst", p.dst().toString());
        f.put("src_port", (long) p.srcPort());
        f.put("dst_port", (long) p.dstPort());
        f.put("seq", Integer.toUnsignedLong(p.seq()));
        f.put("ack", Integer.toUnsignedLong(p.ack()));
        f.put("window", (long) p.window());
        f.put("payload_hex", Hex.encode(p.payload()));
        return f;
    }

    /** The packet described by {@link #packetFields}, or null when a field is missing or out of range. */
    public static Packet packetFromFields(Map<String, Object> f) {
        try {
            Result<Address> src = Address.parse((String) f.get("src"));
            Result<Address> dst = Address.parse((String) f.get("dst"));
            if (!src.isOk() || !dst.isOk()) {
                return null;
            }
            return new Packet(num(f, "flags"), num(f, "protocol"), src.value(), dst.value(), num(f, "src_port"),
                    num(f, "dst_port"), num(f, "seq"), num(f, "ack"), num(f, "window"), Hex.decode((String) f.get("payload_hex")));
        } catch (RuntimeException e) {
            return null; // a missing field, a wrong type or an out-of-range value
        }
    }

    /** Adds the kind and key fields of a decoded frame to {@code m}. */
    public static void describeFrame(Map<String, Object> m, TunnelFrame f) {
        m.put("kind", f.kind().name());
        if (f instanceof PlainFrame p) {
            m.put("packet", packetFields(p.packet()));
        } else if (f instanceof SealedFrame s) {
            m.put("sender", Integer.toUnsignedLong(s.senderNode()));
            m.put("counter", Long.toUnsignedString(s.counter()));
            m.put("ciphertext_len", (long) s.ciphertext().length);
        } else if (f instanceof AuthKeyFrame a) {
            m.put("sender", Integer.toUnsignedLong(a.senderNode()));
            m.put("x25519_hex", Hex.encode(a.x25519()));
            m.put("trailer_caps", a.trailer().caps());
            m.put("trailer_flags", a.trailer().flags());
        } else if (f instanceof AnonKeyFrame k) {
            m.put("sender", Integer.toUnsignedLong(k.senderNode()));
        } else if (f instanceof BeaconFrame b) {
            m.put("code", (long) b.code());
            m.put("body_hex", Hex.encode(b.body()));
        }
    }

    private static int num(Map<String, Object> f, String k) {
        return (int) (long) (Long) f.get(k);
    }
}
