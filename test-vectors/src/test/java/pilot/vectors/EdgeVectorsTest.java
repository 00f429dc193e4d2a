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
