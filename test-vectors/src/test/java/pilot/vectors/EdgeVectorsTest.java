package pilot.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.edge.HostPort;
import pilot.core.edge.RelayBatch;
import pilot.core.edge.RelayMessage;
import pilot.core.wire.Hex;

/**
 * Reads edge.json back through core-logic, the way the wasm and TypeScript suites read it: each relay
 * message decodes to its endpoint, each malformed one fails with its error, each host:port gives its
 * result, and the error table is the enum. (Freshness is GeneratedVectorsTest's job.)
 */
class EdgeVectorsTest {
    private static final Map<String, Object> EDGE = VectorFiles.load("generated", "edge.json");

    @Test
    void relayMessagesDecodeToTheirEndpoints() {
        List<Map<String, Object>> ok = VectorFiles.list(EDGE, "relay_messages");
        assertTrue(ok.stream().anyMatch(c -> ((String) c.get("ip_hex")).length() == 32), "IPv6 cases present");
        for (Map<String, Object> c : ok) {
            byte[] msg = VectorFiles.hex(c, "message_hex");
            RelayMessage m = RelayMessage.decode(msg).value();
            assertArrayEquals(VectorFiles.hex(c, "ip_hex"), m.peer().ip());
            assertEquals(c.get("port"), (long) m.peer().port());
            assertEquals(c.get("frame_hex"), Hex.encode(java.util.Arrays.copyOfRange(msg, m.frameOffset(), msg.length)));
        }
        for (Map<String, Object> c : VectorFiles.list(EDGE, "relay_malformed")) {
            if (c.containsKey("message_hex")) {
                assertEquals(c.get("error"), RelayMessage.decode(VectorFiles.hex(c, "message_hex")).error().name(), (String) c.get("name"));
            }
        }
    }

    @Test
    void relayBatchesEncodeAndSplitAsRecordedAndEachMalformedOneFailsWhole() {
        List<Map<String, Object>> ok = VectorFiles.list(EDGE, "relay_batches");
        assertTrue(ok.size() >= 4);
        for (Map<String, Object> c : ok) {
            @SuppressWarnings("unchecked")
            List<String> messages = (List<String>) c.get("messages_hex");
            byte[] batch = VectorFiles.hex(c, "batch_hex");
            assertEquals(c.get("batch_hex"), Hex.encode(RelayBatch.encode(messages.stream().map(Hex::decode).toList()).value()));
            RelayBatch s = RelayBatch.split(batch).value();
            assertEquals(messages.size(), s.count(), (String) c.get("name"));
            for (int i = 0; i < s.count(); i++) {
                assertEquals(messages.get(i), Hex.encode(s.message(batch, i)));
            }
        }
        List<Map<String, Object>> bad = VectorFiles.list(EDGE, "relay_batch_malformed");
        assertTrue(bad.stream().anyMatch(c -> !c.containsKey("batch_hex")), "the oversize case");
        for (Map<String, Object> c : bad) {
            assertEquals(c.get("error"), RelayBatch.split(malformedBatch(c)).error().name(), (String) c.get("name"));
        }
    }

    /** The bytes of a relay_batch_malformed case: its hex, or 0x00 ‖ {records} × (record_length ‖ zeros). */
    static byte[] malformedBatch(Map<String, Object> c) {
        if (c.containsKey("batch_hex")) {
            return VectorFiles.hex(c, "batch_hex");
        }
        int records = (int) (long) (Long) c.get("records");
        int len = (int) (long) (Long) c.get("record_length");
        byte[] b = new byte[1 + records * (2 + len)];
        for (int at = 1; at < b.length; at += 2 + len) {
            b[at] = (byte) (len >>> 8);
            b[at + 1] = (byte) len;
        }
        return b;
    }

    @Test
    void hostPortCasesParseAsRecorded() {
        for (Map<String, Object> c : VectorFiles.list(EDGE, "host_port")) {
            Result<HostPort> r = HostPort.parse((String) c.get("text"), HostPort.Rule.valueOf((String) c.get("rule")));
            String where = c.get("text") + " " + c.get("rule");
            assertEquals(c.get("ok"), r.isOk(), where);
            if (r.isOk()) {
                assertEquals(c.get("port"), (long) r.value().port(), where);
                assertEquals(c.get("canonical"), r.value().toString(), where);
            } else {
                assertEquals(ErrorCode.BAD_ADDRESS.name(), c.get("error"), where);
            }
        }
    }

    @Test
    void errorTableIsTheEnum() {
        List<Map<String, Object>> codes = VectorFiles.list(EDGE, "error_codes");
        assertEquals(ErrorCode.values().length, codes.size());
        for (Map<String, Object> c : codes) {
            assertEquals(c.get("name"), ErrorCode.ofCode((int) (long) (Long) c.get("code")).name());
        }
        assertNull(ErrorCode.ofCode(codes.size() + 1));
    }
}
