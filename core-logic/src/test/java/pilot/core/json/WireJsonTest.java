package pilot.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.BeaconFrame;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Packet;

/** The vectors' JSON shapes, which the generator and the wasm conformance facade both write. */
class WireJsonTest {
    static final Packet P = new Packet(Packet.ACK, Packet.PROTO_STREAM, new Address(0, 1), new Address(0, 0x10002),
            1000, 49152, -1, 5, 64, new byte[] {1, 2});

    @Test
    void aResultIsOkOrItsErrorNameAndCode() {
        assertEquals("{ok=true, error=null, error_code=null}", WireJson.result(Result.ok(1)).toString());
        assertEquals("{ok=false, error=TRUNCATED, error_code=" + ErrorCode.TRUNCATED.code() + "}",
                WireJson.result(Result.fail(ErrorCode.TRUNCATED, "x")).toString());
    }

    @Test
    void aPacketSurvivesItsFieldsWithUnsignedSequenceNumbers() {
        Map<String, Object> f = WireJson.packetFields(P);
        assertEquals(4294967295L, f.get("seq"), "seq is unsigned in the vectors");
        assertEquals("0102", f.get("payload_hex"));
        assertEquals(P, WireJson.packetFromFields(f));
    }

    @Test
    void fieldsThatDoNotDescribeAPacketGiveNull() {
        Map<String, Object> f = WireJson.packetFields(P);
        Map<String, Object> badSrc = new LinkedHashMap<>(f);
        badSrc.put("src", "not an address");
        assertNull(WireJson.packetFromFields(badSrc));
        Map<String, Object> badDst = new LinkedHashMap<>(f);
        badDst.put("dst", "0:0000.0000");
        assertNull(WireJson.packetFromFields(badDst));
        Map<String, Object> missing = new LinkedHashMap<>(f);
        missing.remove("window");
        assertNull(WireJson.packetFromFields(missing), "a missing field");
        Map<String, Object> range = new LinkedHashMap<>(f);
        range.put("flags", 99L);
        assertNull(WireJson.packetFromFields(range), "an out-of-range field");
    }

    @Test
    void eachFrameKindIsDescribedByItsKeyFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        WireJson.describeFrame(m, new PlainFrame(P));
        assertEquals("PLAIN", m.get("kind"));
        assertEquals(WireJson.packetFields(P), m.get("packet"));

        m.clear();
        WireJson.describeFrame(m, new SealedFrame(-1, new byte[12], new byte[20]));
        assertEquals(4294967295L, m.get("sender"));
        assertEquals("0", m.get("counter"));
        assertEquals(20L, m.get("ciphertext_len"));

        m.clear();
        WireJson.describeFrame(m, new AuthKeyFrame(7, new byte[32], new byte[32], new byte[64], new PilaTrailer(1, 2)));
        assertEquals(7L, m.get("sender"));
        assertEquals("00".repeat(32), m.get("x25519_hex"));
        assertEquals(1L, m.get("trailer_caps"));
        assertEquals(2L, m.get("trailer_flags"));

        m.clear();
        WireJson.describeFrame(m, new AnonKeyFrame(8, new byte[32]));
        assertEquals("ANON_KEY", m.get("kind"));
        assertEquals(8L, m.get("sender"));

        m.clear();
        WireJson.describeFrame(m, new BeaconFrame(BeaconFrame.SYNC, new byte[] {(byte) 0xAB}));
        assertEquals((long) BeaconFrame.SYNC, m.get("code"));
        assertEquals("ab", m.get("body_hex"));
    }
}
