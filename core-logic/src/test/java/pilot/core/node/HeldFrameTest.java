package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.crypto.Aead;
import pilot.core.frame.SealedFrame;

/**
 * A sealed frame whose ciphertext the host keeps ({@link PilotNode#handleDatagram(pilot.core.addr.Endpoint, byte[], byte[], int, long)}):
 * the node sees the frame's header and placeholders it never reads or writes (so one array may stand in for many
 * frames), its open request names the host's reference, and the host's answer (the plaintext of the bytes it kept)
 * is delivered exactly as with the bytes in the call.
 */
class HeldFrameTest {
    private static final int PORT = 2000;

    /** Node 1 (deferred) with a session to node 0; {@code frame} a datagram from node 0 not handled yet. */
    private static final class Held {
        final Net net = new Net();
        final PilotNode a;
        final PilotNode b;
        final byte[] frame;

        Held(boolean deferred) {
            NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(false);
            a = net.add(cfg);
            b = deferred ? net.addDeferred(cfg) : net.add(cfg);
            net.meshKnown();
            frame = net.frameAfterSession(a, b, PORT);
        }

        /** The frame's header, as a host that keeps its ciphertext ‖ tag hands it over. */
        byte[] header() {
            return java.util.Arrays.copyOf(frame, SealedFrame.OVERHEAD);
        }

        /** Zeros of the ciphertext ‖ tag's length: what the host hands over in their place. */
        byte[] zeros() {
            return new byte[frame.length - SealedFrame.OVERHEAD];
        }

        /** The frame as a host that keeps its ciphertext hands it over, under {@code ref}; see {@link PilotNode#handleDatagram}. */
        boolean handHeld(byte[] header, byte[] placeholders, int ref) {
            return b.handleDatagram(net.endpoints.get(0), header, placeholders, ref, net.now);
        }

        CryptoRequest.Open open() {
            CryptoRequest.Open o = null;
            for (CryptoRequest r = b.pollCrypto(); r != null; r = b.pollCrypto()) {
                o = r instanceof CryptoRequest.Open x ? x : o;
            }
            return o;
        }

        /** What the host does with the bytes it kept: decrypt them under the session's key. */
        byte[] openKept(CryptoRequest.Open o) {
            Aead k = Net.SUITE.aes256Gcm(b.keyExchange().session(a.address().node()).keyBytes());
            return k.open(o.nonce(), o.aad(), frame, SealedFrame.OVERHEAD, frame.length - SealedFrame.OVERHEAD);
        }

        int datagramsAtB() {
            int n = 0;
            for (NodeEvent e = b.pollEvent(); e != null; e = b.pollEvent()) {
                n += e instanceof NodeEvent.Datagram d && d.data()[0] == 7 ? 1 : 0;
            }
            return n;
        }
    }

    @Test
    void theOpenRequestNamesTheHostsBytesAndTheirPlaintextIsDelivered() {
        Held h = new Held(true);
        assertTrue(h.handHeld(h.header(), h.zeros(), 77), "the host keeps the bytes");
        CryptoRequest.Open o = h.open();
        assertNotNull(o);
        assertEquals(77, o.hostRef());
        assertArrayEquals(new byte[h.frame.length - SealedFrame.OVERHEAD], o.data(), "placeholders only: the ciphertext never crossed");
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertEquals(1, h.datagramsAtB());
    }

    @Test
    void oneArrayOfPlaceholdersStandsInForManyFramesAndStaysZeros() {
        Held h = new Held(true);
        byte[] shared = h.zeros();
        assertTrue(h.handHeld(h.header(), shared, 11));
        h.a.sendDatagram(h.b.address(), PORT, new byte[] {7, 7, 7}, h.net.now); // the same length as the first
        byte[] second = h.a.pollTransmit().datagram();
        assertTrue(h.b.handleDatagram(h.net.endpoints.get(0), java.util.Arrays.copyOf(second, SealedFrame.OVERHEAD), shared, 12, h.net.now));
        java.util.List<CryptoRequest.Open> opens = new java.util.ArrayList<>();
        for (CryptoRequest r = h.b.pollCrypto(); r != null; r = h.b.pollCrypto()) {
            if (r instanceof CryptoRequest.Open o) {
                opens.add(o);
            }
        }
        assertEquals(java.util.List.of(11, 12), opens.stream().map(CryptoRequest.Open::hostRef).toList());
        Aead k = Net.SUITE.aes256Gcm(h.b.keyExchange().session(h.a.address().node()).keyBytes());
        byte[][] kept = {h.frame, second};
        for (int i = 0; i < 2; i++) {
            CryptoRequest.Open o = opens.get(i);
            h.b.cryptoDone(o.id(), k.open(o.nonce(), o.aad(), kept[i], SealedFrame.OVERHEAD, kept[i].length - SealedFrame.OVERHEAD), h.net.now);
        }
        assertEquals(2, h.datagramsAtB(), "both delivered, each from its own host bytes");
        assertArrayEquals(new byte[shared.length], shared, "never written");
    }

    @Test
    void aReferenceOfZeroIsThePlainCallWithTheBytesInIt() {
        Held h = new Held(true);
        assertFalse(h.b.handleDatagram(h.net.endpoints.get(0), h.frame, null, 0, h.net.now), "nothing kept: the bytes came in the call");
        CryptoRequest.Open o = h.open();
        assertEquals(0, o.hostRef());
        assertArrayEquals(java.util.Arrays.copyOfRange(h.frame, SealedFrame.OVERHEAD, h.frame.length), o.data());
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertEquals(1, h.datagramsAtB());
    }

    @Test
    void aFrameThatNeverGetsAnOpenRequestIsNotKept() {
        Held h = new Held(true);
        byte[] junk = h.header();
        junk[0] = 'X'; // not a frame at all
        assertFalse(h.handHeld(junk, h.zeros(), 5));
        assertFalse(h.handHeld(java.util.Arrays.copyOf(h.header(), SealedFrame.OVERHEAD - 1), h.zeros(), 5), "a header of another length");
        assertFalse(h.handHeld(h.header(), new byte[SealedFrame.TAG_SIZE - 1], 5), "placeholders shorter than a tag");
        assertEquals(3, h.b.droppedCount(ErrorCode.INVALID_ARGUMENT));
        assertNull(h.open());
        assertTrue(h.handHeld(h.header(), h.zeros(), 6));
        CryptoRequest.Open o = h.open();
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertFalse(h.handHeld(h.header(), h.zeros(), 7), "a replay is refused before any request");
        assertNull(h.open());
        assertEquals(1, h.datagramsAtB());
        // the reference is the datagram's own: a later open made by another call (here a plain datagram) carries none
        h.a.sendDatagram(h.b.address(), PORT, new byte[] {7}, h.net.now);
        h.b.handleDatagram(h.net.endpoints.get(0), h.a.pollTransmit().datagram(), h.net.now);
        assertEquals(0, h.open().hostRef());
    }

    @Test
    void aNodeThatOpensInTheCallRefusesPlaceholders() {
        Held h = new Held(false);
        assertFalse(h.handHeld(h.header(), h.zeros(), 9));
        assertEquals(1, h.b.droppedCount(ErrorCode.INVALID_STATE));
        assertEquals(0, h.b.droppedCount(ErrorCode.AEAD_FAILED), "never opened: no failure counted against the peer");
        assertEquals(0, h.datagramsAtB());
    }

    @Test
    void aFailedAnswerHandsTheKeptBytesBackWithoutWritingThePlaceholders() {
        Held h = new Held(true);
        byte[] shared = h.zeros();
        h.handHeld(h.header(), shared, 77);
        CryptoRequest.Open o = h.open();
        byte[] kept = java.util.Arrays.copyOfRange(h.frame, SealedFrame.OVERHEAD, h.frame.length);
        assertFalse(h.b.cryptoRestore(o.id(), new byte[kept.length - 1]), "a wrong length changes nothing");
        assertFalse(h.b.cryptoRestore(o.id() + 1, kept), "nor an id that is not an open with a host reference");
        assertFalse(h.b.cryptoRestore(o.id(), null), "nor no bytes at all");
        assertTrue(h.b.cryptoRestore(o.id(), kept));
        assertArrayEquals(new byte[kept.length], shared, "the placeholders stay zeros: they may stand in for other frames");
        h.b.cryptoDone(o.id(), null, h.net.now);
        assertEquals(1, h.b.droppedCount(ErrorCode.AEAD_FAILED));
        assertFalse(h.b.cryptoRestore(o.id(), kept), "answered: nothing to restore");
    }

    @Test
    void theDatagramEventOneAnswerQueuedIsNamedAndTheQueueIsUnchanged() {
        Held h = new Held(true);
        h.b.handleDatagram(h.net.endpoints.get(0), h.frame, h.net.now);
        CryptoRequest.Open o = h.open();
        byte[] plain = h.openKept(o);
        int before = h.b.eventsQueued();
        assertNull(h.b.datagramEventSince(before), "nothing queued since the mark");
        h.b.cryptoDone(o.id(), plain, h.net.now);
        NodeEvent.Datagram d = h.b.datagramEventSince(before);
        assertNotNull(d, "the answer's packet queued its datagram event");
        assertArrayEquals(new byte[] {7, 7, 7}, d.data());
        assertEquals(before + 1, h.b.eventsQueued());
        assertNull(h.b.datagramEventSince(h.b.eventsQueued()), "only events queued after the mark");
        assertEquals(1, h.datagramsAtB(), "a query: the event is still delivered");
    }
}
