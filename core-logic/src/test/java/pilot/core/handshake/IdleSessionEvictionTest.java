package pilot.core.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Endpoint;
import pilot.core.envelope.WireProfile;
import pilot.core.handshake.KeyExchangeTest.Peer;

/**
 * A peer table full of sessions that went quiet does not lock new peers out (probe of Nov 30: 1,024 free
 * registry keys that answered PILA and never sent a frame kept every new identity out until a restart). A
 * verified PILA takes the place of the session idle the longest, once it has been idle for
 * {@link PeerTable#IDLE_SESSION_MILLIS}; before that the table stays full, and an active peer never goes.
 */
class IdleSessionEvictionTest {
    static final long IDLE = PeerTable.IDLE_SESSION_MILLIS;
    final PinnedTrust trust = new PinnedTrust();
    final HandshakeLimits small = HandshakeLimits.DEFAULTS.withMaxPeers(4, 2);
    final Peer victim = new Peer(1, 1, trust, WireProfile.MODERN, small);

    Peer peer(int node) {
        return new Peer(node, node, trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS);
    }

    /** {@code p} dials the victim and takes its answer; what the victim made of {@code p}'s PILA. */
    HandshakeResult dial(Peer p, long now) {
        HandshakeResult r = victim.onPila(p.kx.startHandshake(victim.node, now).value(), now);
        if (r.isOk() && r.reply() != null) {
            p.onPila(r.reply(), now);
        }
        return r;
    }

    @Test
    void aNewPeerTakesThePlaceOfTheSessionIdleTheLongestOnlyOnceItIsIdleEnoughAndNeverAnActivePeers() {
        Peer[] quiet = new Peer[4];
        for (int i = 0; i < 4; i++) {
            quiet[i] = peer(100 + i);
            assertTrue(dial(quiet[i], i * 1000L).installed(), "session " + i + " at " + i + " s");
        }
        Peer active = quiet[1];
        victim.kx.open((pilot.core.frame.SealedFrame) pilot.core.frame.FrameCodec.decode(active.seal(victim, "still here")).value(),
                50_000);
        victim.kx.snapshot(); // clears snapshotDue

        assertEquals(ErrorCode.TABLE_FULL, dial(peer(200), IDLE - 1).error(), "nothing idle for the minimum yet: the bound holds");
        assertEquals(SessionSnapshotDue.NONE, due());

        assertTrue(dial(peer(201), IDLE).installed(), "the first session has been idle for the minimum");
        assertFalse(victim.kx.hasSession(quiet[0].node), "the one idle the longest went");
        assertEquals(SessionSnapshotDue.REQUIRED, due(), "a session is gone: the snapshot must follow");

        assertTrue(dial(peer(202), 2_000 + IDLE).installed());
        assertFalse(victim.kx.hasSession(quiet[2].node), "then the next idle one; the active peer stays");
        assertTrue(dial(peer(203), 3_000 + IDLE).installed());
        assertFalse(victim.kx.hasSession(quiet[3].node));
        assertEquals(ErrorCode.TABLE_FULL, dial(peer(204), 4_000 + IDLE).error(), "the rest were active within the minimum");
        assertTrue(victim.kx.hasSession(active.node), "an active peer is never the one evicted");
        assertEquals(List.of(active.node, 201, 202, 203), victim.kx.peers().values().stream().map(p -> p.node).toList());
        assertEquals(3, victim.kx.peers().idleEvictions());
    }

    @Test
    void unauthenticatedFramesAndNodesInUseNeverEvictAnIdleSession() {
        for (int i = 0; i < 4; i++) {
            assertTrue(dial(peer(100 + i), 0).installed());
        }
        victim.kx.peers().keepWhileIn(() -> java.util.Set.of(100, 101, 102)); // streams with them
        long later = 10 * IDLE;
        Peer stranger = peer(300);
        var pilk = new pilot.core.frame.AnonKeyFrame(stranger.node, KeyExchangeTest.SUITE.x25519PublicKey(new byte[32]));
        assertEquals(ErrorCode.TABLE_FULL, victim.kx.onAnonFrame(pilk, "10.0.0.9:1", later).error(), "a PILK never evicts a session");
        assertTrue(dial(peer(301), later).installed());
        assertFalse(victim.kx.hasSession(103), "the only idle session without streams");
        assertEquals(ErrorCode.TABLE_FULL, dial(peer(302), later + 1000).error(), "the others hold streams");
    }

    @Test
    void aVerifiedPilaWithAWeakKeyIsRefusedBeforeItCanTakeAnIdleSessionsPlace() {
        Peer[] quiet = new Peer[4];
        for (int i = 0; i < 4; i++) {
            quiet[i] = peer(100 + i);
            assertTrue(dial(quiet[i], 0).installed());
        }
        victim.kx.snapshot(); // clears snapshotDue
        Peer weak = peer(500); // a registered identity: its signature verifies
        byte[] zero = new byte[32]; // a low-order X25519 key: every shared secret with it is zero
        byte[] sig = weak.identity.signingKey().sign(pilot.core.frame.AuthKeyFrame.challenge(weak.node, zero));
        var f = new pilot.core.frame.AuthKeyFrame(weak.node, zero, weak.identity.publicKey(), sig,
                pilot.core.frame.PilaTrailer.NONE);
        assertEquals(ErrorCode.WEAK_KEY, victim.kx.onAuthFrame(f, "10.0.0.9:1", 10 * IDLE).error());
        for (Peer q : quiet) {
            assertTrue(victim.kx.hasSession(q.node), "a refused key evicts nobody: " + q.node);
        }
        assertEquals(0, victim.kx.peers().idleEvictions());
        assertEquals(SessionSnapshotDue.NONE, due());
        assertEquals(4, victim.kx.peers().size());
    }

    @Test
    void restoredSessionsCountTheirRestoreAsActivity() {
        for (int i = 0; i < 4; i++) {
            Peer p = peer(100 + i);
            assertTrue(dial(p, 0).installed());
            victim.kx.peers().get(p.node).endpoint = Endpoint.ipv4(127, 0, 0, 1, 4000 + i);
        }
        SessionSnapshot snap = victim.kx.snapshot();
        victim.restart(WireProfile.MODERN, small, 99); // a Worker wakes long after the sessions' last frames
        long wake = 100 * IDLE;
        assertEquals(4, victim.kx.restore(snap, wake).value());
        assertEquals(ErrorCode.TABLE_FULL, dial(peer(400), wake + IDLE - 1).error(), "restored sessions get their chance");
        assertTrue(dial(peer(401), wake + IDLE).installed());
    }

    private int due() {
        return victim.kx.snapshotDue();
    }

    /** {@link SessionSnapshot}'s due levels, named for the assertions. */
    static final class SessionSnapshotDue {
        static final int NONE = SessionSnapshot.DUE_NONE;
        static final int REQUIRED = SessionSnapshot.DUE_REQUIRED;
    }
}
