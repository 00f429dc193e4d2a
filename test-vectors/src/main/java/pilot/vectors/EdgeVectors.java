package pilot.vectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Endpoint;
import pilot.core.addr.IpLiteral;
import pilot.core.edge.EventLayout;
import pilot.core.edge.HostPort;
import pilot.core.edge.RelayBatch;
import pilot.core.edge.RelayMessage;
import pilot.core.edge.SignedTexts;
import pilot.core.json.WireJson;
import pilot.core.node.NodeEvent;
import pilot.core.wire.Hex;

/**
 * {@code edge.json}: the protocols at the edges of the core, which the JVM host, the wasm wrapper and the
 * TypeScript Worker each speak — relay messages, signed texts, host:port, the event record and the error
 * codes — derived from {@code pilot.core.edge} so every runtime can be checked against the same cases.
 */
final class EdgeVectors {
    private static final String KEY = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=";
    private static final String NONCE = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private EdgeVectors() {
    }

    static Map<String, Object> generate() {
        Map<String, Object> top = VectorGenerator.header("pilot.core.edge; docs/ARCHITECTURE.md \"Edge protocols\"",
                "relay_messages: endpoint+frame <-> message_hex; relay_malformed: message_hex -> error; relay_batches: "
                        + "messages_hex <-> batch_hex; relay_batch_malformed: batch_hex (or a built oversize one) -> error; signed_texts: "
                        + "inputs -> exact text (signed as its ASCII bytes); host_port: text+rule -> ip_hex/host+port or error; "
                        + "event_layout: field offsets, kind codes and records as NodeWasm emits them; error_codes: name <-> number");
        top.put("relay_messages", relayMessages());
        top.put("relay_malformed", relayMalformed());
        top.put("relay_batches", relayBatches());
        top.put("relay_batch_malformed", relayBatchMalformed());
        top.put("signed_texts", signedTexts());
        top.put("host_port", hostPort());
        top.put("event_fields", eventFields());
        top.put("event_kinds", eventKinds());
        top.put("event_records", eventRecords());
        top.put("error_codes", errorCodes());
        return top;
    }

    static List<Object> relayMessages() {
        List<Object> out = new ArrayList<>();
        Object[][] cases = {{"127.0.0.1", 4000, "50494c53"}, {"10.0.0.2", 1, ""}, {"255.255.255.255", 65535, "00"},
            {"::1", 4000, "50494c530102030405"}, {"2001:db8::ab:cd", 443, "50494c41"}, {"fe80::1", 9000, ""}};
        for (Object[] c : cases) {
            Endpoint e = Endpoint.parse((String) c[0], (Integer) c[1]).value();
            byte[] frame = Hex.decode((String) c[2]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ip", IpLiteral.text(e.ip()));
            m.put("ip_hex", Hex.encode(e.ip()));
            m.put("port", (long) e.port());
            m.put("frame_hex", c[2]);
            m.put("message_hex", Hex.encode(RelayMessage.encode(e, frame, 0, frame.length)));
            m.put("frame_offset", (long) RelayMessage.decode(RelayMessage.encode(e, frame, 0, frame.length)).value().frameOffset());
            out.add(m);
        }
        return out;
    }

    static List<Object> relayMalformed() {
        List<Object> out = new ArrayList<>();
        String[][] cases = {{"empty", ""}, {"ip length 0", "00"}, {"ip length 5", "057f0000010a0fa0"},
            {"ip length 255", "ff01020304"}, {"ipv4 header cut", "047f00000110"}, {"ipv6 header cut", "10" + "00".repeat(15) + "0100"},
            {"ipv4 port 0", "047f000001000050494c53"}, {"ipv6 port 0", "10" + "00".repeat(15) + "01" + "0000"}};
        for (String[] c : cases) {
            Result<RelayMessage> r = RelayMessage.decode(Hex.decode(c[1]));
            if (r.isOk()) {
                throw new IllegalStateException("a malformed case decoded: " + c[0]);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c[0]);
            m.put("message_hex", c[1]);
            m.putAll(WireJson.result(r));
            out.add(m);
        }
        Map<String, Object> big = new LinkedHashMap<>();
        big.put("name", "longer than max_bytes");
        big.put("max_bytes", (long) RelayMessage.MAX_BYTES);
        byte[] huge = new byte[RelayMessage.MAX_BYTES + 1];
        huge[0] = 4;
        huge[6] = 1;
        big.putAll(WireJson.result(RelayMessage.decode(huge)));
        out.add(big);
        return out;
    }

    static List<Object> relayBatches() {
        String v4 = "047f0000010fa050494c53";
        String v6 = "10" + "00".repeat(15) + "01" + "0fa0" + "50494c41";
        String[][] cases = {{"one message", v4}, {"two IPv4", v4, "047f0000010fa150494c530102"},
            {"IPv4 then IPv6 then IPv4", v4, v6, v4}, {"an endpoint alone (empty frame)", "040a00000200ff"},
            {"a one-byte record (the core refuses the message, not the batch)", "04"}};
        List<Object> out = new ArrayList<>();
        for (String[] c : cases) {
            List<byte[]> messages = new ArrayList<>();
            List<Object> hexes = new ArrayList<>();
            for (int i = 1; i < c.length; i++) {
                messages.add(Hex.decode(c[i]));
                hexes.add(c[i]);
            }
            byte[] batch = RelayBatch.encode(messages).value();
            RelayBatch split = RelayBatch.split(batch).value();
            if (split.count() != messages.size()) {
                throw new IllegalStateException("a batch did not split back: " + c[0]);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c[0]);
            m.put("messages_hex", hexes);
            m.put("batch_hex", Hex.encode(batch));
            out.add(m);
        }
        return out;
    }

    static List<Object> relayBatchMalformed() {
        String v4 = "047f0000010fa050494c53";
        String[][] cases = {{"empty", ""}, {"a single relay message is not a batch", v4}, {"no record", "00"},
            {"a zero-length record", "000000"}, {"a zero-length record after a good one", "00000b" + v4 + "0000"},
            {"a record past the end", "00000c" + v4}, {"a cut record after a good one", "00000b" + v4 + "000b047f00"},
            {"a trailing byte", "00000b" + v4 + "00"}, {"a length cut", "00ff"}};
        List<Object> out = new ArrayList<>();
        for (String[] c : cases) {
            Result<RelayBatch> r = RelayBatch.split(Hex.decode(c[1]));
            if (r.isOk()) {
                throw new IllegalStateException("a malformed batch split: " + c[0]);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c[0]);
            m.put("batch_hex", c[1]);
            m.putAll(WireJson.result(r));
            out.add(m);
        }
        // one byte over: 0x00 ‖ two records of record_length zero bytes each (only the size is wrong)
        int record = (RelayBatch.MAX_BYTES - 1) / 2 - RelayBatch.RECORD_HEADER + 1;
        byte[] over = new byte[1 + 2 * (RelayBatch.RECORD_HEADER + record)];
        for (int at = 1; at < over.length; at += RelayBatch.RECORD_HEADER + record) {
            over[at] = (byte) (record >>> 8);
            over[at + 1] = (byte) record;
        }
        if (over.length != RelayBatch.MAX_BYTES + 1) {
            throw new IllegalStateException("the oversize batch is " + over.length + " bytes");
        }
        Map<String, Object> big = new LinkedHashMap<>();
        big.put("name", "longer than max_bytes");
        big.put("max_bytes", (long) RelayBatch.MAX_BYTES);
        big.put("records", 2L);
        big.put("record_length", (long) record);
        big.putAll(WireJson.result(RelayBatch.split(over)));
        out.add(big);
        return out;
    }

    static List<Object> signedTexts() {
        List<Object> out = new ArrayList<>();
        out.add(text("relay_auth", Map.of("nonce", NONCE, "public_key", KEY), SignedTexts.relayAuth(NONCE, KEY)));
        out.add(text("relay_dial", Map.of("nonce", NONCE, "public_key", KEY), SignedTexts.relayDial(NONCE, KEY)));
        out.add(text("register", ordered("public_key", KEY, "listen_addr", "127.0.0.1:4000", "timestamp", 1_764_460_800_123L),
                SignedTexts.register(KEY, "127.0.0.1:4000", 1_764_460_800_123L)));
        out.add(text("register", ordered("public_key", KEY, "listen_addr", "0:0:0:0:0:0:0:1:4000", "timestamp", 1L),
                SignedTexts.register(KEY, "0:0:0:0:0:0:0:1:4000", 1L)));
        out.add(text("set_visibility", ordered("node_id", 16L), SignedTexts.setVisibility(16)));
        out.add(text("set_visibility_stamped", ordered("node_id", 4_294_967_295L, "public", true, "timestamp", 1_764_460_800_123L),
                SignedTexts.setVisibilityStamped(-1, true, 1_764_460_800_123L)));
        out.add(text("set_visibility_stamped", ordered("node_id", 17L, "public", false, "timestamp", 5L),
                SignedTexts.setVisibilityStamped(17, false, 5L)));
        out.add(text("heartbeat", ordered("node_id", 2_147_483_648L), SignedTexts.heartbeat(Integer.MIN_VALUE)));
        out.add(text("resolve", ordered("requester_id", 17L, "node_id", 16L), SignedTexts.resolve(17, 16)));
        return out;
    }

    private static Map<String, Object> text(String kind, Map<String, Object> inputs, String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("inputs", inputs instanceof LinkedHashMap ? inputs : new java.util.TreeMap<>(inputs));
        m.put("text", text);
        m.put("ascii_hex", Hex.encode(SignedTexts.ascii(text)));
        return m;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Object> hostPort() {
        List<Object> out = new ArrayList<>();
        String[] texts = {"127.0.0.1:9000", "[::1]:4000", "::1:4000", "0:0:0:0:0:0:0:1:4000", "[2001:db8::ab:cd]:443",
            "fe80::1%eth0:9000", "127.0.0.1:0", "localhost:9000", "relay-1.example.com:443", "example.com.:80", "localhost:0",
            "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:123456", ":80",
            "[::1:80", "[127.0.0.1]:80", "[]:80", "300.1.1.1:80", "1.2.3:80", "a..b:80", "-a:80", "a-:80", "a_b:80",
            "[localhost]:80", "1::2::3:80", "00000000000000000000000000000001:80", "::\uff11:80", "1.2.3.\uff14:80",
            "x".repeat(254) + ":80"};
        for (String t : texts) {
            for (HostPort.Rule rule : HostPort.Rule.values()) {
                Result<HostPort> r = HostPort.parse(t, rule);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("text", t);
                m.put("rule", rule.name());
                m.putAll(WireJson.result(r));
                if (r.isOk()) {
                    HostPort h = r.value();
                    m.put("host", h.host());
                    m.put("ip_hex", h.ip() == null ? null : Hex.encode(h.ip()));
                    m.put("port", (long) h.port());
                    m.put("canonical", h.toString());
                }
                out.add(m);
            }
        }
        return out;
    }

    static List<Object> eventFields() {
        List<Object> out = new ArrayList<>();
        Object[][] fields = {{"kind", EventLayout.KIND, 1}, {"flags", EventLayout.FLAGS, 1}, {"stream", EventLayout.STREAM, 4},
            {"peer_network", EventLayout.PEER_NETWORK, 2}, {"peer_node", EventLayout.PEER_NODE, 4},
            {"local_port", EventLayout.LOCAL_PORT, 2}, {"remote_port", EventLayout.REMOTE_PORT, 2},
            {"value", EventLayout.VALUE, 8}, {"error", EventLayout.ERROR, 2}, {"data", EventLayout.HEADER, -1}};
        for (Object[] f : fields) {
            out.add(ordered("name", f[0], "offset", (long) (Integer) f[1], "size", (long) (Integer) f[2]));
        }
        return out;
    }

    static List<Object> eventKinds() {
        List<Object> out = new ArrayList<>();
        for (NodeEvent.Kind k : NodeEvent.Kind.values()) {
            out.add(ordered("name", k.name(), "code", (long) k.code()));
        }
        return out;
    }

    /** One record per kind, with every field distinct so a misplaced field shows. */
    static List<Object> eventRecords() {
        List<Object> out = new ArrayList<>();
        int i = 0;
        for (NodeEvent.Kind k : NodeEvent.Kind.values()) {
            i++;
            boolean peer = k != NodeEvent.Kind.STREAM_READABLE && k != NodeEvent.Kind.STREAM_WRITABLE;
            byte[] data = k == NodeEvent.Kind.DATAGRAM ? new byte[] {'h', 'i', (byte) i} : null;
            ErrorCode err = k == NodeEvent.Kind.PEER_UNREACHABLE ? ErrorCode.PEER_UNREACHABLE
                    : k == NodeEvent.Kind.STREAM_CLOSED ? ErrorCode.STREAM_RESET : null;
            EventLayout.Fields f = new EventLayout.Fields(k.code(), i == 4 ? -2 : 1000 + i, peer, peer ? 1 : 0, peer ? 0x00A3F290 + i : 0,
                    1000 + i, 2000 + i, k == NodeEvent.Kind.PONG ? 81L : -i, err == null ? 0 : err.code());
            byte[] rec = new byte[EventLayout.size(data)];
            EventLayout.encode(f, data, rec, 0);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", k.name());
            m.put("stream", (long) f.stream());
            m.put("peer", peer ? ordered("network", (long) f.peerNetwork(), "node", Integer.toUnsignedLong(f.peerNode())) : null);
            m.put("local_port", (long) f.localPort());
            m.put("remote_port", (long) f.remotePort());
            m.put("value", f.value());
            m.put("error", err == null ? null : err.name());
            m.put("data_hex", data == null ? null : Hex.encode(data));
            m.put("record_hex", Hex.encode(rec));
            out.add(m);
        }
        return out;
    }

    static List<Object> errorCodes() {
        List<Object> out = new ArrayList<>();
        for (ErrorCode c : ErrorCode.values()) {
            out.add(ordered("name", c.name(), "code", (long) c.code()));
        }
        return out;
    }
}
