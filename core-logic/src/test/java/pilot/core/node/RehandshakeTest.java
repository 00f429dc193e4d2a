package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.addr.Ports;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Session;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.FrameKind;
import pilot.core.frame.TunnelFrame;
import pilot.core.wire.Hex;

/**
 * A node whose own endpoint moved (a Worker on another relay) tells each peer it holds a session with by
 * a fresh handshake: the reference daemon moves a peer's endpoint only on a PILA with an X25519 key it has
 * not seen (spec D.2 step 9), so the first frame after the move must be such a PILA, and a stream under
 * way carries on under the new session.
 */
class RehandshakeTest {
    final Net net = new Net();
    final PilotNode a = net.add(NodeConfig.DEFAULTS);
    final PilotNode b = net.add(NodeConfig.DEFAULTS);
    /** Frames a sent to b, in order. */
    final List<TunnelFrame> aToB = new ArrayList<>();

    RehandshakeTest() {
        net.tap = (from, to, bytes) -> {
            if (from == 0) {
                aToB.add(FrameCodec.decode(bytes).value());
            }
        };
    }

    @Test
    void afterAMoveTheFirstFrameIsAPilaWithANewKeyAndTheStreamCarriesOn() {
        byte[] data = new SeededEntropy(5).bytes(200_000);
        int s = a.openStream(b.address(), Ports.ECHO, net.now).value();
        int off = a.write(s, java.util.Arrays.copyOf(data, 50_000), net.now).value();
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        while (back.size() < 20_000) {
            net.run(5);
            byte[] chunk = a.read(s, 1 << 20, net.now).value();
            back.write(chunk, 0, chunk.length);
        }
        Set<String> keysBefore = new HashSet<>();
        for (TunnelFrame f : aToB) {
            if (f.kind() == FrameKind.AUTH_KEY) {
                keysBefore.add(Hex.encode(((AuthKeyFrame) f).x25519()));
            }
        }
        assertEquals(1, keysBefore.size(), "one handshake so far");

        // a moves: its frames now leave from a new endpoint; what b sends to the old one is lost
        net.endpoints.set(0, Endpoint.ipv4(10, 0, 9, 9, 5000));
        int sent = aToB.size();
        assertTrue(a.rehandshake(b.address().node(), net.now));
        assertFalse(a.rehandshake(b.address().node(), net.now), "one handshake at a time");
        net.drain();
        TunnelFrame firstAfter = aToB.get(sent);
        assertEquals(FrameKind.AUTH_KEY, firstAfter.kind(), "the first frame after the move is a PILA");
        assertFalse(keysBefore.contains(Hex.encode(((AuthKeyFrame) firstAfter).x25519())), "with an X25519 key b never saw");

        boolean closed = false;
        long end = net.now + 60_000;
        while (net.now < end) {
            if (off < data.length) {
                off += a.write(s, java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 16384)), net.now).value();
            } else if (!closed) {
                a.closeStream(s, net.now);
                closed = true;
            }
            byte[] chunk = a.read(s, 1 << 20, net.now).value();
            back.write(chunk, 0, chunk.length);
            if (closed && a.atEof(s) && chunk.length == 0) {
                break;
            }
            net.run(5);
        }
        assertArrayEquals(data, back.toByteArray(), "every byte echoed across the move");
        assertTrue(a.hasSession(b.address().node()) && b.hasSession(a.address().node()));
    }

    @Test
    void withoutASessionThereIsNothingToRehandshake() {
        assertFalse(a.rehandshake(b.address().node(), net.now), "an unknown peer");
        net.meshKnown();
        assertFalse(a.rehandshake(b.address().node(), net.now), "a known peer without a session: its first traffic handshakes");
        assertTrue(aToB.isEmpty());
    }

    private static final int PORT = 2000;

    /**
     * Adds node q (the AEAD as the host's effect when {@code deferred}) to {@code n}, whose node p is there
     * already; both listen on {@link #PORT} and p's first datagram to q sets their session up. Returns q.
     */
    private static PilotNode pairWithSession(Net n, boolean deferred) {
        PilotNode p = n.nodes.get(0);
        PilotNode q = deferred ? n.addDeferred(NodeConfig.DEFAULTS) : n.add(NodeConfig.DEFAULTS);
        p.listen(PORT);
        q.listen(PORT);
        p.sendDatagram(q.address(), PORT, new byte[] {0}, n.now);
        n.run(200);
        return q;
    }

    /**
     * Two re-handshakes of ours in a row, with traffic from the peer between them, keep the pair's session.
     * The peer answers a PILA while its own session is only INSTALLED (nothing of ours authenticated under it
     * yet) with the X25519 key it already had (spec-notes #9: reused when we merely answer), so our first new
     * session carries the same peer key as the one it replaced. When the peer's next frame confirmed it, we
     * used to retire the "previous" peer key — the current one — and refuse the peer's answer to our second
     * re-handshake as {@code STALE_KEY}: we ended without a session (IDLE after our retries), the peer
     * INSTALLED under keys we never had. The same with the AEAD as the host's effect.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void twoRehandshakesInARowWithTrafficBetweenKeepTheSession(boolean deferred) {
        Net n = new Net();
        PilotNode p = n.add(NodeConfig.DEFAULTS);
        PilotNode q = pairWithSession(n, deferred); // q CONFIRMED, p INSTALLED (q sent nothing yet)
        for (int round = 1; round <= 2; round++) {
            assertTrue(q.rehandshake(p.address().node(), n.now), "round " + round);
            n.run(200);
            p.sendDatagram(q.address(), PORT, new byte[] {(byte) round}, n.now); // confirms q's new session
            n.run(200);
            assertTrue(q.hasSession(p.address().node()), "q holds a session after round " + round);
            assertEquals(0, q.droppedCount(ErrorCode.STALE_KEY), "the peer's answer is not a replay, round " + round);
        }
        Session ours = q.keyExchange().session(p.address().node());
        Session theirs = p.keyExchange().session(q.address().node());
        assertNotNull(theirs);
        assertArrayEquals(theirs.keyBytes(), ours.keyBytes(), "both ends hold the same key");
        q.sendDatagram(p.address(), PORT, new byte[] {9}, n.now);
        n.run(200);
        assertEquals(1, n.eventsOf(0, NodeEvent.Datagram.class).size(), "q reaches p");
        assertEquals(3, n.eventsOf(1, NodeEvent.Datagram.class).size(), "p reached q every time");
    }

    /**
     * Both ends re-handshake at the same moment (both moved), twice in a row: the PILAs cross, each end installs
     * from the other's fresh key and answers with its own, and the pair ends with one key on both sides.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void crossingRehandshakesTwiceInARowKeepOneSession(boolean deferred) {
        Net n = new Net();
        PilotNode p = n.add(NodeConfig.DEFAULTS);
        PilotNode q = pairWithSession(n, deferred); // q CONFIRMED, p INSTALLED (q sent nothing yet)
        for (int round = 1; round <= 2; round++) {
            assertTrue(p.rehandshake(q.address().node(), n.now), "round " + round);
            assertTrue(q.rehandshake(p.address().node(), n.now), "round " + round);
            n.run(200);
            p.sendDatagram(q.address(), PORT, new byte[] {(byte) round}, n.now);
            q.sendDatagram(p.address(), PORT, new byte[] {(byte) round}, n.now);
            n.run(200);
            Session theirs = p.keyExchange().session(q.address().node());
            Session ours = q.keyExchange().session(p.address().node());
            assertNotNull(theirs, "round " + round);
            assertNotNull(ours, "round " + round);
            assertArrayEquals(theirs.keyBytes(), ours.keyBytes(), "one key on both sides, round " + round);
        }
        assertEquals(2, n.eventsOf(0, NodeEvent.Datagram.class).size(), "q reached p every round");
        assertEquals(3, n.eventsOf(1, NodeEvent.Datagram.class).size(), "p reached q every time");
        assertEquals(0, p.droppedCount(ErrorCode.STALE_KEY) + q.droppedCount(ErrorCode.STALE_KEY));
    }
}
