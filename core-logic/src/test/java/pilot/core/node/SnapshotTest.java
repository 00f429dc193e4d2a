package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.FrameKind;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.SessionSnapshot;

/**
 * Sessions survive the loss of a node (a Durable Object evicted, issue 17): A snapshots, A is dropped, A' is a
 * fresh node with A's identity that restores the snapshot, and B keeps talking to it without a new PILA. A'
 * never repeats a send counter A used, and nothing B sent before the snapshot is accepted again.
 */
class SnapshotTest {
    static final int APP_PORT = 1000;
    final Net net = new Net();
    PilotNode a = net.add(NodeConfig.DEFAULTS);
    final PilotNode b = net.add(NodeConfig.DEFAULTS);
    /** Every frame on the wire: (from index, decoded frame, raw bytes). */
    final List<Object[]> wire = new ArrayList<>();

    SnapshotTest() {
        net.tap = (from, to, bytes) -> wire.add(new Object[] {from, FrameCodec.decode(bytes).value(), bytes});
    }

    private long pilas() {
        return wire.stream().filter(w -> ((TunnelFrame) w[1]).kind() == FrameKind.AUTH_KEY).count();
    }

    /** The counters of the PILS frames {@code from} sent, from wire position {@code since} on. */
    private List<Long> countersFrom(int from, int since) {
        List<Long> out = new ArrayList<>();
        for (Object[] w : wire.subList(since, wire.size())) {
            if ((int) w[0] == from && w[1] instanceof SealedFrame s) {
                out.add(s.counter());
            }
        }
        return out;
    }

    private void pingAndWait(PilotNode from, int fromIndex, PilotNode to) {
        int before = net.eventsOf(fromIndex, NodeEvent.Pong.class).size();
        from.ping(to.address(), net.now);
        net.run(200);
        assertEquals(before + 1, net.eventsOf(fromIndex, NodeEvent.Pong.class).size(), "answered");
    }

    /** A and B handshake and exchange; B holds a stream to A's application port. Returns B's stream. */
    private int talk() {
        a.listen(APP_PORT);
        pingAndWait(a, 0, b);
        pingAndWait(b, 1, a);
        int s = b.openStream(a.address(), APP_PORT, net.now).value();
        net.run(200);
        b.write(s, new byte[3000], net.now);
        net.run(200);
        assertEquals(1, net.eventsOf(0, NodeEvent.StreamAccepted.class).size());
        return s;
    }

    private PilotNode replaceA(NodeConfig cfg) {
        a = net.restart(0, cfg, 4242);
        return a;
    }

    @Test
    void aRestoredNodeAnswersWithoutANewPilaNeverRepeatsACounterAndRefusesReplays() {
        int oldStream = talk();
        assertEquals(SessionSnapshot.DUE_REQUIRED, a.snapshotDue(), "a session was installed since the start");
        byte[] fromBBefore = null;
        for (Object[] w : wire) {
            if ((int) w[0] == 1 && w[1] instanceof SealedFrame) {
                fromBBefore = (byte[]) w[2]; // the last frame B sent A before the snapshot
            }
        }
        long usedByA = countersFrom(0, 0).stream().mapToLong(Long::longValue).max().orElseThrow();
        byte[] snap = a.snapshot(net.now);
        assertEquals(SessionSnapshot.DUE_NONE, a.snapshotDue(), "taking the snapshot clears the due mark");

        PilotNode restored = replaceA(NodeConfig.DEFAULTS);
        assertEquals(1, restored.restore(snap, net.now).value(), "one session restored");
        assertArrayEquals(snap, restored.snapshot(net.now), "snapshot of the restore is the snapshot");
        assertTrue(restored.hasSession(b.address().node()));
        assertEquals(new NodeEvent.PeerNeeded(b.address()), restored.pollEvent(),
                "the host is asked to resolve the restored peer again");
        restored.addPeer(b.address().node(), net.endpoints.get(1), net.now);
        assertTrue(restored.hasSession(b.address().node()), "and its answer keeps the session");

        long pilasBefore = pilas();
        int since = wire.size();
        pingAndWait(b, 1, restored);
        pingAndWait(restored, 0, b);
        assertEquals(pilasBefore, pilas(), "no new PILA either way");
        assertEquals(1, net.eventsOf(1, NodeEvent.PeerUp.class).size(), "B never saw a new session");
        List<Long> sealedByRestored = countersFrom(0, since);
        assertFalse(sealedByRestored.isEmpty());
        for (long c : sealedByRestored) {
            assertTrue(c > usedByA && c > Session.COUNTER_BLOCK, "counter " + c + " above all A used (" + usedByA + ")");
        }
        assertEquals(SessionSnapshot.DUE_REQUIRED, restored.snapshotDue(), "the first seal raised the reservation");
        assertTrue(SessionSnapshot.decode(restored.snapshot(net.now), 1024).value().peers().get(0).reservedUpTo()
                >= 2 * Session.COUNTER_BLOCK);

        long refused = restored.droppedCount(ErrorCode.REPLAY) + restored.droppedCount(ErrorCode.TOO_OLD);
        long in = restored.packetsIn();
        restored.handleDatagram(net.endpoints.get(1), fromBBefore, net.now);
        assertEquals(refused + 1, restored.droppedCount(ErrorCode.REPLAY) + restored.droppedCount(ErrorCode.TOO_OLD),
                "a frame B sent before the snapshot is refused after the restore");
        assertEquals(in, restored.packetsIn());

        // the stream B held with A is gone from A': its next segment meets the unknown-stream RST
        b.write(oldStream, new byte[100], net.now);
        net.run(500);
        assertTrue(net.eventsOf(1, NodeEvent.StreamClosed.class).stream()
                .anyMatch(e -> e.stream() == oldStream && e.error() == ErrorCode.STREAM_RESET), "B's old stream was reset");

        // a stream opened after the restore carries bytes in order, both ways (A' serves the echo port)
        byte[] data = new SeededEntropy(3).bytes(50_000);
        int s = b.openStream(restored.address(), Ports.ECHO, net.now).value();
        int off = 0;
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        for (int i = 0; i < 400 && back.size() < data.length; i++) {
            if (off < data.length) {
                off += b.write(s, Arrays.copyOfRange(data, off, data.length), net.now).value();
            }
            net.run(20);
            byte[] chunk = b.read(s, 1 << 20, net.now).value();
            back.write(chunk, 0, chunk.length);
        }
        assertArrayEquals(data, back.toByteArray(), "echoed in order after the restore");
        assertEquals(pilasBefore, pilas(), "still no PILA");
    }

    @Test
    void malformedOtherVersionOtherNodeAndOtherProfileSnapshotsAreTypedErrors() {
        talk();
        byte[] snap = a.snapshot(net.now);
        for (int len = 0; len < snap.length; len++) {
            Result<Integer> r = replaceA(NodeConfig.DEFAULTS).restore(Arrays.copyOf(snap, len), net.now);
            assertEquals(ErrorCode.TRUNCATED, r.error(), "cut at " + len);
        }
        byte[] version = snap.clone();
        version[4] = 2;
        assertEquals(ErrorCode.BAD_VERSION, replaceA(NodeConfig.DEFAULTS).restore(version, net.now).error());
        byte[] magic = snap.clone();
        magic[0] = 'X';
        assertEquals(ErrorCode.BAD_MAGIC, replaceA(NodeConfig.DEFAULTS).restore(magic, net.now).error());
        assertEquals(ErrorCode.BAD_LENGTH, replaceA(NodeConfig.DEFAULTS).restore(Arrays.copyOf(snap, snap.length + 1), net.now).error());
        byte[] ipLen = snap.clone();
        ipLen[12 + 6] = 5;
        assertEquals(ErrorCode.INVALID_ARGUMENT, replaceA(NodeConfig.DEFAULTS).restore(ipLen, net.now).error());
        byte[] many = snap.clone();
        many[10] = (byte) 0xFF;
        assertEquals(ErrorCode.LIMIT_REACHED, replaceA(NodeConfig.DEFAULTS).restore(many, net.now).error());
        assertEquals(ErrorCode.IDENTITY_MISMATCH, b.restore(snap, net.now).error(), "another node's snapshot");
        assertEquals(ErrorCode.REFUSED,
                replaceA(NodeConfig.DEFAULTS.withProfile(WireProfile.FEB2026)).restore(snap, net.now).error());
        byte[] entry = Arrays.copyOfRange(snap, 12, snap.length);
        byte[] twice = new byte[snap.length + entry.length];
        System.arraycopy(snap, 0, twice, 0, snap.length);
        System.arraycopy(entry, 0, twice, snap.length, entry.length);
        twice[11] = 2;
        PilotNode fresh = replaceA(NodeConfig.DEFAULTS);
        assertEquals(ErrorCode.INVALID_ARGUMENT, fresh.restore(twice, net.now).error(), "a node twice");
        assertEquals(0, fresh.keyExchange().peerCount(), "all or nothing: the first copy was undone");
        byte[] ours = snap.clone();
        System.arraycopy(snap, 5, ours, 12, 4); // the entry's node id := our own
        assertEquals(ErrorCode.INVALID_ARGUMENT, replaceA(NodeConfig.DEFAULTS).restore(ours, net.now).error(), "our own id");
        PilotNode used = replaceA(NodeConfig.DEFAULTS);
        used.addPeer(b.address().node(), net.endpoints.get(1), net.now);
        assertEquals(ErrorCode.INVALID_STATE, used.restore(snap, net.now).error(), "only into a node without peers");
        assertEquals(0, replaceA(NodeConfig.DEFAULTS).keyExchange().peerCount());
    }

    @Test
    void theDueMarkTellsTheHostWhatToPersist() {
        talk();
        a.snapshot(net.now);
        b.ping(a.address(), net.now);
        net.run(200);
        assertEquals(SessionSnapshot.DUE_ADVISORY, a.snapshotDue(), "only the receive high-water mark moved");
        a.snapshot(net.now);
        assertEquals(SessionSnapshot.DUE_NONE, a.snapshotDue());
        a.rehandshake(b.address().node(), net.now);
        assertEquals(SessionSnapshot.DUE_REQUIRED, a.snapshotDue(), "the session was dropped for a new handshake");
    }
}
