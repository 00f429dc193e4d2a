package pilot.core.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.limit.RateLimiter;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Bytes;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** Two (or more) in-memory peers running the PILA exchange against each other (spec D). */
class KeyExchangeTest {
    static final CryptoSuite SUITE = new BouncyCastleSuite();
    static final String SRC = "127.0.0.1";

    /** A peer with its own identity; all peers of one test trust each other's keys. */
    static final class Peer {
        final int node;
        final byte[] seed;
        final LocalIdentity identity;
        final PinnedTrust trust;
        KeyExchange kx;

        Peer(int node, long seed, PinnedTrust trust, WireProfile profile, HandshakeLimits limits) {
            this.node = node;
            this.seed = new SeededEntropy(seed).bytes(32);
            this.identity = new LocalIdentity(node, SUITE.ed25519(this.seed));
            this.trust = trust;
            trust.pin(node, identity.publicKey());
            restart(profile, limits, seed * 31);
        }

        /** A process restart: same identity, empty tables, new randomness (so new X25519 keys). */
        void restart(WireProfile profile, HandshakeLimits limits, long entropySeed) {
            kx = new KeyExchange(identity, SUITE, new SeededEntropy(entropySeed), trust, profile, limits);
        }

        byte[] seal(Peer to, String text) {
            Packet p = new Packet(Packet.ACK, Packet.PROTO_DATAGRAM, new Address(0, node), new Address(0, to.node), 1, 2, 0, 0, 0,
                    text.getBytes());
            return kx.seal(to.node, PacketCodec.encode(p)).value();
        }

        Result<Packet> receive(byte[] wire, long now) {
            return kx.open((SealedFrame) FrameCodec.decode(wire).value(), now).packet();
        }

        HandshakeResult onPila(byte[] wire, long now) {
            return kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(wire).value(), SRC, now);
        }
    }

    final PinnedTrust trust = new PinnedTrust();
    final Peer a = new Peer(10, 1, trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS);
    final Peer b = new Peer(20, 2, trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS);

    /** a starts; b answers; a answers b's PILA (reference behaviour); b keeps its state on the duplicate. */
    void handshake(Peer x, Peer y, long now) {
        byte[] pila = x.kx.startHandshake(y.node, now).value();
        HandshakeResult atY = y.onPila(pila, now);
        assertTrue(atY.isOk(), atY.detail());
        assertTrue(atY.installed());
        HandshakeResult atX = x.onPila(atY.reply(), now);
        assertTrue(atX.isOk(), atX.detail());
        assertTrue(atX.installed());
        HandshakeResult dup = y.onPila(atX.reply(), now);
        assertTrue(dup.isOk());
        assertFalse(dup.installed(), "an unchanged X25519 key keeps the state");
        assertNull(dup.reply(), "and is not answered");
    }

    @Test
    void twoPeersHandshakeAndExchangeSealedPacketsBothWays() {
        handshake(a, b, 0);
        assertEquals("hello b", new String(b.receive(a.seal(b, "hello b"), 1).value().payload()));
        assertEquals("hello a", new String(a.receive(b.seal(a, "hello a"), 1).value().payload()));
        assertEquals(1, a.kx.peerCount());
        assertEquals(0, a.kx.halfOpenCount());
        assertEquals(WireProfile.MODERN, a.kx.session(b.node).profile());
    }

    @Test
    void theHandshakeStateMovesIdleInitiatedInstalledConfirmedAndFailuresNeverMoveIt() {
        assertEquals(HandshakeState.IDLE, a.kx.state(b.node));
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        assertEquals(HandshakeState.INITIATED, a.kx.state(b.node));
        assertEquals(1, a.kx.halfOpenCount());
        HandshakeResult atB = b.onPila(pila, 0);
        assertEquals(HandshakeState.INSTALLED, b.kx.state(a.node), "b answers without ever being half-open");
        assertEquals(0, b.kx.halfOpenCount());
        a.onPila(atB.reply(), 0);
        assertEquals(HandshakeState.INSTALLED, a.kx.state(b.node));
        assertEquals(0, a.kx.halfOpenCount());
        assertEquals("hi", new String(b.receive(a.seal(b, "hi"), 1).value().payload()));
        assertEquals(HandshakeState.CONFIRMED, b.kx.state(a.node));
        assertTrue(b.kx.isConfirmed(a.node));
        assertFalse(a.kx.isConfirmed(b.node), "a has not received anything under the session yet");
        byte[] junk = a.seal(b, "x");
        junk[junk.length - 1] ^= 1;
        for (int i = 0; i < 10; i++) {
            assertFalse(b.receive(junk, 2).isOk());
        }
        assertEquals(HandshakeState.CONFIRMED, b.kx.state(a.node), "a failure run never moves the state (issue 12)");
        a.kx.startHandshake(b.node, 3);
        assertEquals(HandshakeState.INITIATED, a.kx.state(b.node), "starting again drops the session");
    }

    @Test
    void legacyProfilePeersTalkToEachOtherButNotToModernOnes() {
        Peer x = new Peer(30, 3, trust, WireProfile.FEB2026, HandshakeLimits.DEFAULTS);
        Peer y = new Peer(40, 4, trust, WireProfile.FEB2026, HandshakeLimits.DEFAULTS);
        handshake(x, y, 0);
        assertTrue(y.receive(x.seal(y, "old"), 0).isOk());
        // a modern peer completes PILA with a legacy one (PILA is the same) but cannot open its frames
        handshake(x, a, 0);
        assertEquals(ErrorCode.AEAD_FAILED, a.receive(x.seal(a, "x"), 0).error());
        a.kx.setProfile(x.node, WireProfile.FEB2026);
        handshake(a, x, 10); // the pinned profile applies to the next session
        assertTrue(a.receive(x.seal(a, "now"), 10).isOk());
        assertTrue(x.receive(a.seal(x, "both"), 10).isOk());
    }

    @Test
    void ourPilaIsTheSpecFrameSignedByOurIdentity() {
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        AuthKeyFrame f = (AuthKeyFrame) FrameCodec.decode(pila).value();
        assertEquals(AuthKeyFrame.SIZE, pila.length);
        assertEquals(a.node, f.senderNode());
        assertArrayEquals(a.identity.publicKey(), f.ed25519());
        assertTrue(SUITE.ed25519Verify(a.identity.publicKey(), f.challenge(), f.signature()));
        assertEquals(1, a.kx.halfOpenCount());
        assertEquals(java.util.List.of(b.node), a.kx.halfOpenSince(0));
    }

    @Test
    void everyHandshakeWeStartUsesAFreshX25519Key() {
        AuthKeyFrame first = (AuthKeyFrame) FrameCodec.decode(a.kx.startHandshake(b.node, 0).value()).value();
        AuthKeyFrame second = (AuthKeyFrame) FrameCodec.decode(a.kx.startHandshake(b.node, 1).value()).value();
        assertFalse(java.util.Arrays.equals(first.x25519(), second.x25519()));
        assertEquals(1, a.kx.halfOpenCount());
    }

    @Test
    void tamperedPilaIsRefusedAndChangesNothing() {
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        byte[] badSig = pila.clone();
        badSig[100] ^= 1;
        assertEquals(ErrorCode.BAD_SIGNATURE, b.onPila(badSig, 0).error());
        byte[] badKey = pila.clone();
        badKey[10] ^= 1; // X25519 key changed after signing
        assertEquals(ErrorCode.BAD_SIGNATURE, b.onPila(badKey, 0).error());
        assertEquals(0, b.kx.peerCount());
        assertEquals(2, b.kx.refusedFrames());
        assertTrue(b.onPila(pila, 0).isOk());
    }

    @Test
    void pilaSignedByAnotherIdentityIsRefused() {
        // c signs a PILA claiming to be a: its Ed25519 key is not the one trusted for a
        Peer c = new Peer(99, 9, new PinnedTrust(), WireProfile.MODERN, HandshakeLimits.DEFAULTS);
        byte[] x = SUITE.x25519PublicKey(new SeededEntropy(5).bytes(32));
        byte[] sig = c.identity.signingKey().sign(AuthKeyFrame.challenge(a.node, x));
        AuthKeyFrame forged = new AuthKeyFrame(a.node, x, c.identity.publicKey(), sig, PilaTrailer.NONE);
        assertEquals(ErrorCode.IDENTITY_MISMATCH, b.kx.onAuthFrame(forged, SRC, 0).error());
        // and carrying a's public key with c's signature fails verification
        AuthKeyFrame forged2 = new AuthKeyFrame(a.node, x, a.identity.publicKey(), sig, PilaTrailer.NONE);
        assertEquals(ErrorCode.BAD_SIGNATURE, b.kx.onAuthFrame(forged2, SRC, 0).error());
        assertFalse(b.kx.hasSession(a.node));
    }

    @Test
    void unknownNodesAndOurOwnIdAreRefused() {
        Peer stranger = new Peer(77, 7, new PinnedTrust(), WireProfile.MODERN, HandshakeLimits.DEFAULTS);
        byte[] pila = stranger.kx.startHandshake(b.node, 0).value();
        assertEquals(ErrorCode.UNKNOWN_IDENTITY, b.onPila(pila, 0).error());
        byte[] mine = b.kx.startHandshake(a.node, 0).value();
        assertEquals(ErrorCode.IDENTITY_MISMATCH, b.onPila(mine, 0).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, b.kx.startHandshake(b.node, 0).error());
    }

    @Test
    void lowOrderX25519KeyIsRefused() {
        byte[] zero = new byte[32];
        byte[] sig = a.identity.signingKey().sign(AuthKeyFrame.challenge(a.node, zero));
        AuthKeyFrame f = new AuthKeyFrame(a.node, zero, a.identity.publicKey(), sig, PilaTrailer.NONE);
        assertEquals(ErrorCode.WEAK_KEY, b.kx.onAuthFrame(f, SRC, 0).error());
        assertFalse(b.kx.hasSession(a.node));
    }

    @Test
    void replayedCurrentPilaKeepsStateAndReplayedOldPilaIsRefused() {
        byte[] oldPila = a.kx.startHandshake(b.node, 0).value();
        HandshakeResult r = b.onPila(oldPila, 0);
        a.onPila(r.reply(), 0);
        assertTrue(b.receive(a.seal(b, "1"), 0).isOk());
        // replaying the current PILA: no reset, counters continue, no answer
        HandshakeResult replay = b.onPila(oldPila, 1);
        assertTrue(replay.isOk());
        assertFalse(replay.installed());
        assertNull(replay.reply());
        assertTrue(b.receive(a.seal(b, "2"), 1).isOk());
        assertEquals(2, b.kx.session(a.node).receiveMax());
        // a restarts (new X25519) and re-handshakes; traffic confirms the new key; then the old PILA is replayed
        a.restart(WireProfile.MODERN, HandshakeLimits.DEFAULTS, 1234);
        handshake(a, b, 2);
        assertTrue(b.receive(a.seal(b, "confirms the new key"), 2).isOk());
        HandshakeResult stale = b.onPila(oldPila, 3);
        assertEquals(ErrorCode.STALE_KEY, stale.error());
        assertTrue(b.receive(a.seal(b, "after"), 3).isOk(), "the live session survives the replayed PILA");
    }

    @Test
    void aReplayedOldPilaIsRefusedEvenBeforeTheNewKeyIsConfirmed() {
        byte[] oldPila = a.kx.startHandshake(b.node, 0).value();
        a.onPila(b.onPila(oldPila, 0).reply(), 0);
        assertTrue(b.receive(a.seal(b, "confirms a's first key"), 0).isOk());
        // a changes its key; b answers with a fresh key of its own; no traffic yet
        byte[] fresh = a.kx.startHandshake(b.node, 1000).value();
        a.onPila(b.onPila(fresh, 1000).reply(), 1000);
        // the attacker replays a's first PILA before any traffic confirmed the new keys: b remembers that
        // a replaced that key and refuses it (it used to install it and cost a re-handshake)
        assertEquals(ErrorCode.STALE_KEY, b.onPila(oldPila, 1001).error());
        assertTrue(b.receive(a.seal(b, "a to b"), 1002).isOk());
        assertTrue(a.receive(b.seal(a, "b to a"), 1002).isOk());
    }

    @Test
    void aReplayedOldPilaIsRefusedAfterThePeerWasForgottenAndTheLatestNeverMovesTheEndpoint() {
        byte[] first = a.kx.startHandshake(b.node, 0).value();
        a.onPila(b.onPila(first, 0).reply(), 0);
        byte[] second = a.kx.startHandshake(b.node, 1000).value();
        HandshakeResult installed = b.onPila(second, 1000);
        assertTrue(installed.freshKey(), "a key never seen from a may move its endpoint");
        a.onPila(installed.reply(), 1000);
        assertTrue(b.receive(a.seal(b, "confirms"), 1000).isOk());
        b.kx.forget(a.node); // evicted, or dropped: all per-peer state is gone
        assertFalse(b.kx.hasSession(a.node));
        assertEquals(ErrorCode.STALE_KEY, b.onPila(first, 2000).error(), "a replaced key stays refused");
        assertFalse(b.kx.hasSession(a.node));
        HandshakeResult latest = b.onPila(second, 2001);
        assertTrue(latest.installed(), "the latest key may install again (only its holder can use the session)");
        assertFalse(latest.freshKey(), "but, being a possible replay, it may not move the endpoint");
        assertEquals(1, b.kx.keyHistoryNodes());
    }

    @Test
    void keyHistoryIsBoundedInNodes() {
        HandshakeLimits small = HandshakeLimits.DEFAULTS.withKeyHistory(2);
        Peer x = new Peer(1000, 11, trust, WireProfile.MODERN, small);
        for (int i = 0; i < 5; i++) {
            Peer y = new Peer(2000 + i, 100 + i, trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS);
            assertTrue(x.onPila(y.kx.startHandshake(x.node, 0).value(), 0).installed());
        }
        assertEquals(2, x.kx.keyHistoryNodes());
    }

    @Test
    void aChangedKeyAgainstAConfirmedSessionIsAnsweredWithAFreshKey() {
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        byte[] bFirst = b.onPila(pila, 0).reply();
        a.onPila(bFirst, 0);
        assertTrue(b.receive(a.seal(b, "confirm"), 0).isOk());
        a.restart(WireProfile.MODERN, HandshakeLimits.DEFAULTS, 77);
        HandshakeResult r = b.onPila(a.kx.startHandshake(b.node, 1000).value(), 1000);
        assertTrue(r.installed());
        AuthKeyFrame before = (AuthKeyFrame) FrameCodec.decode(bFirst).value();
        AuthKeyFrame answer = (AuthKeyFrame) FrameCodec.decode(r.reply()).value();
        assertFalse(java.util.Arrays.equals(before.x25519(), answer.x25519()), "b rotated its own key in the answer");
        assertTrue(a.onPila(r.reply(), 1000).installed());
        assertTrue(b.receive(a.seal(b, "after restart"), 1001).isOk());
        assertTrue(a.receive(b.seal(a, "and back"), 1001).isOk());
    }

    @Test
    void restartedPeerIsReinstalledAndAnswered() {
        handshake(a, b, 0);
        byte[] oldFrameFromA = a.seal(b, "before restart");
        assertTrue(b.receive(oldFrameFromA, 0).isOk());
        b.restart(WireProfile.MODERN, HandshakeLimits.DEFAULTS, 555);
        // b lost everything: a's frames cannot be opened
        assertEquals(ErrorCode.NO_SESSION, b.receive(a.seal(b, "lost"), 1).error());
        // b starts over; a sees a changed key from b, reinstalls and answers
        byte[] pila = b.kx.startHandshake(a.node, 2).value();
        HandshakeResult atA = a.onPila(pila, 2);
        assertTrue(atA.installed());
        assertNotNull(atA.reply());
        assertTrue(b.onPila(atA.reply(), 2).installed());
        assertEquals("fresh", new String(b.receive(a.seal(b, "fresh"), 3).value().payload()));
        assertEquals("fresh too", new String(a.receive(b.seal(a, "fresh too"), 3).value().payload()));
        // a frame sealed under the old session no longer opens
        assertFalse(b.receive(oldFrameFromA, 3).isOk());
    }

    @Test
    void pilkFromATrustedNodeIsAnsweredWithPilaAndInstallsNothing() {
        byte[] x = SUITE.x25519PublicKey(new SeededEntropy(3).bytes(32));
        HandshakeResult r = b.kx.onAnonFrame(new AnonKeyFrame(a.node, x), SRC, 0);
        assertTrue(r.isOk());
        assertFalse(r.installed());
        assertFalse(b.kx.hasSession(a.node));
        AuthKeyFrame answer = (AuthKeyFrame) FrameCodec.decode(r.reply()).value();
        assertEquals(b.node, answer.senderNode());
        // a can complete the exchange from b's answer
        HandshakeResult atA = a.onPila(r.reply(), 0);
        assertTrue(atA.installed());
        assertTrue(b.onPila(atA.reply(), 0).installed());
        assertTrue(b.receive(a.seal(b, "via pilk"), 0).isOk());
        // an anonymous exchange from an unknown node is refused
        assertEquals(ErrorCode.UNKNOWN_IDENTITY, b.kx.onAnonFrame(new AnonKeyFrame(555, x), SRC, 0).error());
    }

    @Test
    void pilkFloodFromThePeersAddressDoesNotSpendItsPilaBudget() {
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        byte[] x = SUITE.x25519PublicKey(new SeededEntropy(3).bytes(32));
        for (int i = 0; i < 100; i++) {
            b.kx.onAnonFrame(new AnonKeyFrame(a.node, x), "10.0.0.1:4001", 0); // the attacker, on a's IP
        }
        assertTrue(b.kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "10.0.0.1:4000", 0).isOk(),
                "a's own endpoint has its own budget");
    }

    @Test
    void keyExchangesAreRateLimitedPerSourceWithTheCallersClock() {
        byte[] pila = a.kx.startHandshake(b.node, 0).value();
        int accepted = 0;
        for (int i = 0; i < 20; i++) {
            if (b.kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "10.0.0.1", 0).error() != ErrorCode.RATE_LIMITED) {
                accepted++;
            }
        }
        assertEquals(5, accepted, "burst of 5 per source");
        assertTrue(b.kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "10.0.0.2", 0).isOk(), "other sources unaffected");
        assertEquals(ErrorCode.RATE_LIMITED, b.kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "10.0.0.1", 100).error());
        assertTrue(b.kx.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "10.0.0.1", 200).isOk(), "refilled at 5/s");
    }

    @Test
    void peerTableAndHalfOpenHandshakesAreBounded() {
        HandshakeLimits small = HandshakeLimits.DEFAULTS.withMaxPeers(3, 2);
        Peer x = new Peer(1000, 11, trust, WireProfile.MODERN, small);
        assertTrue(x.kx.startHandshake(2001, 0).isOk());
        assertTrue(x.kx.startHandshake(2002, 1).isOk());
        assertTrue(x.kx.startHandshake(2003, 2).isOk()); // evicts 2001, the oldest half-open
        assertEquals(2, x.kx.halfOpenCount());
        assertEquals(java.util.List.of(2002, 2003), x.kx.halfOpenSince(10));
        // fill the table with established sessions: then nothing can be evicted
        Peer[] others = new Peer[3];
        for (int i = 0; i < 3; i++) {
            others[i] = new Peer(3000 + i, 20 + i, trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS);
            handshake(others[i], x, 5 + i * 1000L);
        }
        assertEquals(3, x.kx.peerCount());
        assertEquals(0, x.kx.halfOpenCount());
        assertEquals(ErrorCode.TABLE_FULL, x.kx.startHandshake(4000, 6000).error());
        assertEquals(ErrorCode.TABLE_FULL, x.onPila(a.kx.startHandshake(x.node, 6000).value(), 6000).error());
        x.kx.forget(3000);
        assertTrue(x.onPila(a.kx.startHandshake(x.node, 7000).value(), 7000).installed());
    }

    @Test
    void aRunOfFailuresNeverDropsTheSessionAndRehandshakesOnlyWhenThePeerIsSilent() {
        handshake(a, b, 0);
        byte[] good = a.seal(b, "ok");
        assertTrue(b.receive(good, 0).isOk());
        SealedFrame replayed = (SealedFrame) FrameCodec.decode(good).value();
        // five replays 500 ms after a's last authentic frame: counted, nothing else
        for (int i = 0; i < 5; i++) {
            OpenResult r = b.kx.open(replayed, 500);
            assertEquals(ErrorCode.REPLAY, r.packet().error());
            assertNull(r.rehandshake());
        }
        var session = b.kx.session(a.node);
        OpenResult fifth = b.kx.open(replayed, 5000); // the run reached 5 above; now a has been silent 5 s
        assertNotNull(fifth.rehandshake(), "a silent peer after a run: re-handshake with a fresh key");
        assertTrue(b.kx.hasSession(a.node), "the session is never dropped for unauthenticated failures");
        assertTrue(b.kx.session(a.node) == session, "and keeps working until the new one is installed");
        assertTrue(b.receive(a.seal(b, "old session still opens"), 5000).isOk());
        assertTrue(a.receive(b.seal(a, "and seals"), 5000).isOk());
        // another run inside the grace period of the first re-handshake starts nothing
        for (int i = 0; i < 10; i++) {
            assertNull(b.kx.open(replayed, 5500).rehandshake());
        }
        // the re-handshake carries a new X25519 key, which a accepts as a change and answers
        HandshakeResult atA = a.onPila(fifth.rehandshake(), 5001);
        assertTrue(atA.installed());
        assertTrue(b.onPila(atA.reply(), 5001).installed());
        assertTrue(b.receive(a.seal(b, "recovered"), 5002).isOk());
        assertTrue(a.receive(b.seal(a, "both ways"), 5002).isOk());
    }

    @Test
    void junkClaimingAPeersIdNeverTouchesASessionThatCarriesTraffic() {
        handshake(a, b, 0);
        var session = b.kx.session(a.node);
        SealedFrame good = (SealedFrame) FrameCodec.decode(a.seal(b, "x")).value();
        SealedFrame junk = new SealedFrame(a.node, new byte[12], new byte[16]); // a 52-byte PILS anyone can send
        for (long t = 0; t < 60_000; t += 500) {
            assertTrue(b.receive(a.seal(b, "honest"), t).isOk());
            for (int i = 0; i < 50; i++) {
                assertNull(b.kx.open(junk, t + 1).rehandshake());
                assertNull(b.kx.open(good, t + 1).rehandshake()); // replays of a captured frame too
            }
        }
        assertTrue(b.kx.session(a.node) == session, "the same session throughout");
    }

    @Test
    void aeadFailuresNeedTheLongerSilenceAndSuccessResetsTheRun() {
        handshake(a, b, 0);
        byte[] wire = a.seal(b, "x");
        SealedFrame good = (SealedFrame) FrameCodec.decode(wire).value();
        byte[] ct = good.ciphertext();
        ct[0] ^= 1;
        SealedFrame bad = new SealedFrame(good.senderNode(), good.nonce(), ct);
        for (int i = 0; i < 6; i++) {
            assertNull(b.kx.open(bad, 1000).rehandshake(), "within 3 s of creation nothing is dropped");
        }
        assertTrue(b.kx.open(good, 3500).packet().isOk()); // resets the run, and proves a is alive
        for (int i = 0; i < 10; i++) {
            assertNull(b.kx.open(bad, 4000).rehandshake(), "a spoke 500 ms ago: failures prove nothing");
        }
        assertNotNull(b.kx.open(bad, 6500).rehandshake(), "3 s of silence after a run of 5");
        assertNull(b.kx.open(bad, 6600).rehandshake(), "at most one re-handshake per grace period");
    }

    @Test
    void tooOldRunsAlsoRehandshake() {
        handshake(a, b, 0);
        byte[] first = a.seal(b, "1");
        for (int i = 0; i < 300; i++) {
            a.seal(b, "skip");
        }
        assertTrue(b.receive(a.seal(b, "301"), 0).isOk());
        byte[] rehandshake = null;
        for (int i = 0; i < 5; i++) {
            OpenResult r = b.kx.open((SealedFrame) FrameCodec.decode(first).value(), 2000);
            assertEquals(ErrorCode.TOO_OLD, r.packet().error());
            rehandshake = r.rehandshake();
        }
        assertNotNull(rehandshake);
    }

    @Test
    void spoofedInnerSourceIsDroppedWithoutCountingAsAKeyFailure() {
        handshake(a, b, 0);
        Packet spoof = new Packet(0, Packet.PROTO_DATAGRAM, new Address(0, 4242), new Address(0, b.node), 1, 2, 0, 0, 0, null);
        for (int i = 0; i < 10; i++) {
            OpenResult r = b.kx.open((SealedFrame) FrameCodec.decode(a.kx.seal(b.node, PacketCodec.encode(spoof)).value()).value(), 10_000);
            assertEquals(ErrorCode.SPOOFED_SOURCE, r.packet().error());
            assertNull(r.rehandshake());
        }
        assertTrue(b.kx.hasSession(a.node));
    }

    @Test
    void sealWithoutSessionIsATypedError() {
        assertEquals(ErrorCode.NO_SESSION, a.kx.seal(b.node, new byte[34]).error());
        assertEquals(ErrorCode.NO_SESSION, a.kx.open(new SealedFrame(b.node, new byte[12], new byte[16]), 0).packet().error());
        assertNull(a.kx.session(b.node));
        assertEquals(10, a.kx.localNode());
        assertEquals(WireProfile.MODERN, a.kx.profileFor(12345));
    }

    @Test
    void simultaneousOpenConverges() {
        byte[] fromA = a.kx.startHandshake(b.node, 0).value();
        byte[] fromB = b.kx.startHandshake(a.node, 0).value();
        HandshakeResult atB = b.onPila(fromA, 0);
        HandshakeResult atA = a.onPila(fromB, 0);
        assertTrue(atA.installed() && atB.installed());
        // each answer repeats a key the other already installed: state kept
        assertFalse(b.onPila(atA.reply(), 0).installed());
        assertFalse(a.onPila(atB.reply(), 0).installed());
        assertTrue(b.receive(a.seal(b, "x"), 0).isOk());
        assertTrue(a.receive(b.seal(a, "y"), 0).isOk());
    }

    @Test
    void limitsAndTrustValidateTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> HandshakeLimits.DEFAULTS.withMaxPeers(1, 2));
        assertThrows(IllegalArgumentException.class, () -> new PinnedTrust().pin(1, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new LocalIdentity(1, null));
        assertThrows(IllegalArgumentException.class,
                () -> new KeyExchange(null, SUITE, new SeededEntropy(1), trust, WireProfile.MODERN, HandshakeLimits.DEFAULTS));
        PinnedTrust t = new PinnedTrust().pin(1, new byte[32]);
        t.unpin(1);
        assertNull(t.ed25519KeyFor(1));
        assertEquals(5, HandshakeLimits.DEFAULTS.withRate(5, 10).kxPerSecond());
        assertTrue(Bytes.constantTimeEquals(a.identity.publicKey(), trust.ed25519KeyFor(a.node)));
    }
}
