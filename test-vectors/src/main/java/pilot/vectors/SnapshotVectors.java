package pilot.vectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.addr.Endpoint;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.json.WireJson;
import pilot.core.node.NodeConfig;
import pilot.core.node.PilotNode;
import pilot.core.node.Transmit;
import pilot.core.wire.Hex;

/**
 * snapshot.json: a session snapshot (docs/SPEC-NOTES.md #37) from fixed seeds. Node A holds sessions with B
 * (IPv4) and C (IPv6 ::1); its snapshot bytes are exact; a fresh node with A's identity restores them and
 * snapshots the same bytes again; damaged snapshots give the listed errors. Every runtime must agree.
 */
final class SnapshotVectors {
    private static final CryptoSuite SUITE = new BouncyCastleSuite();
    static final long NOW = 1_000;

    private SnapshotVectors() {
    }

    static Map<String, Object> generate() {
        byte[] seedA = new SeededEntropy(71).bytes(32);
        LocalIdentity a = new LocalIdentity(0x0A01, SUITE.ed25519(seedA));
        LocalIdentity b = new LocalIdentity(0x0B01, SUITE.ed25519(new SeededEntropy(72).bytes(32)));
        LocalIdentity c = new LocalIdentity(0x0C01, SUITE.ed25519(new SeededEntropy(73).bytes(32)));
        PinnedTrust trust = new PinnedTrust().pin(a.node(), a.publicKey()).pin(b.node(), b.publicKey()).pin(c.node(), c.publicKey());
        List<PilotNode> nodes = List.of(
                new PilotNode(NodeConfig.DEFAULTS, a, 0, SUITE, new SeededEntropy(81), trust),
                new PilotNode(NodeConfig.DEFAULTS, b, 0, SUITE, new SeededEntropy(82), trust),
                new PilotNode(NodeConfig.DEFAULTS, c, 0, SUITE, new SeededEntropy(83), trust));
        byte[] v6 = new byte[16];
        v6[15] = 1;
        List<Endpoint> at = List.of(Endpoint.ipv4(10, 0, 0, 1, 4000), Endpoint.ipv4(10, 0, 0, 2, 4000), new Endpoint(v6, 4001));
        for (int i = 1; i < 3; i++) {
            nodes.get(0).addPeer(nodes.get(i).address().node(), at.get(i), NOW);
            nodes.get(i).addPeer(a.node(), at.get(0), NOW);
        }
        nodes.get(0).ping(new Address(0, b.node()), NOW);
        nodes.get(0).ping(new Address(0, c.node()), NOW);
        shuttle(nodes, at);
        nodes.get(2).ping(new Address(0, a.node()), NOW);
        shuttle(nodes, at);
        byte[] snap = nodes.get(0).snapshot(NOW);

        PilotNode restored = fresh(a, seedA, NodeConfig.DEFAULTS);
        Result<Integer> count = restored.restore(snap, NOW);
        if (!count.isOk() || count.value() != 2 || !Hex.encode(restored.snapshot(NOW)).equals(Hex.encode(snap))) {
            throw new IllegalStateException("snapshot does not survive its own restore: " + count);
        }
        Map<String, Object> top = VectorGenerator.header("docs/SPEC-NOTES.md #37 (local state, not on the wire)",
                "node A (identity_seed_hex, node, profile) restores snapshot_hex: sessions sessions, and snapshots the same"
                        + " bytes again; each case restored into a fresh node A with the case's profile gives its result");
        top.put("identity_seed_hex", Hex.encode(seedA));
        top.put("node", (long) a.node());
        top.put("network", 0L);
        top.put("profile", "modern");
        top.put("now", NOW);
        top.put("sessions", (long) count.value());
        top.put("snapshot_hex", Hex.encode(snap));
        List<Object> cases = new ArrayList<>();
        cases.add(caseOf(a, seedA, "intact", "modern", snap));
        cases.add(caseOf(a, seedA, "truncated by one byte", "modern", java.util.Arrays.copyOf(snap, snap.length - 1)));
        cases.add(caseOf(a, seedA, "header only", "modern", java.util.Arrays.copyOf(snap, 11)));
        cases.add(caseOf(a, seedA, "a trailing byte", "modern", java.util.Arrays.copyOf(snap, snap.length + 1)));
        cases.add(caseOf(a, seedA, "version 2", "modern", with(snap, 4, 2)));
        cases.add(caseOf(a, seedA, "bad magic", "modern", with(snap, 0, 'X')));
        cases.add(caseOf(a, seedA, "another node", "modern", with(snap, 8, 0x02)));
        cases.add(caseOf(a, seedA, "node profile feb2026", "feb2026", snap));
        cases.add(caseOf(a, seedA, "unknown profile code", "modern", with(snap, 9, 7)));
        cases.add(caseOf(a, seedA, "address length 5", "modern", with(snap, 12 + 6, 5)));
        cases.add(caseOf(a, seedA, "unknown flag", "modern", with(snap, 12 + 4, 0x80)));
        cases.add(caseOf(a, seedA, "more peers than the table", "modern", with(with(snap, 10, 0xFF), 11, 0xFF)));
        cases.add(caseOf(a, seedA, "empty", "modern", new byte[0]));
        top.put("cases", cases);
        return top;
    }

    private static PilotNode fresh(LocalIdentity a, byte[] seedA, NodeConfig cfg) {
        return new PilotNode(cfg, new LocalIdentity(a.node(), SUITE.ed25519(seedA)), 0, SUITE, new SeededEntropy(99),
                new PinnedTrust().pin(a.node(), a.publicKey()));
    }

    private static Map<String, Object> caseOf(LocalIdentity a, byte[] seedA, String name, String profile, byte[] bytes) {
        NodeConfig cfg = NodeConfig.DEFAULTS.withProfile("feb2026".equals(profile)
                ? pilot.core.envelope.WireProfile.FEB2026 : pilot.core.envelope.WireProfile.MODERN);
        Result<Integer> r = fresh(a, seedA, cfg).restore(bytes, NOW);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("profile", profile);
        c.put("snapshot_hex", Hex.encode(bytes));
        c.putAll(WireJson.result(r));
        c.put("sessions", r.isOk() ? (Object) (long) r.value() : null);
        return c;
    }

    private static byte[] with(byte[] b, int at, int value) {
        byte[] out = b.clone();
        out[at] = (byte) value;
        return out;
    }

    /** Delivers every datagram to the node at its destination until nothing is left (time stands still). */
    private static void shuttle(List<PilotNode> nodes, List<Endpoint> at) {
        for (boolean moved = true; moved;) {
            moved = false;
            for (int i = 0; i < nodes.size(); i++) {
                for (Transmit t = nodes.get(i).pollTransmit(); t != null; t = nodes.get(i).pollTransmit()) {
                    int to = at.indexOf(t.to());
                    if (to >= 0) {
                        nodes.get(to).handleDatagram(at.get(i), t.datagram(), NOW);
                    }
                    moved = true;
                }
                while (nodes.get(i).pollEvent() != null) {
                    moved = true;
                }
            }
        }
    }
}
