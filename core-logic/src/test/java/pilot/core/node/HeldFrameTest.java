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
 * A sealed frame whose ciphertext the host keeps ({@link PilotNode#handleDatagram(pilot.core.addr.Endpoint, byte[], int, long)}):
 * the node sees the frame's header and placeholders, its open request names the host's reference, and the
 * host's answer (the plaintext of the bytes it kept) is delivered exactly as with the bytes in the call.
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

        /** The frame with zeros in place of ciphertext ‖ tag, as a host that keeps them hands it over. */
        byte[] placeholders() {
            byte[] p = new byte[frame.length];
            System.arraycopy(frame, 0, p, 0, SealedFrame.OVERHEAD);
            return p;
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
        assertTrue(h.b.handleDatagram(h.net.endpoints.get(0), h.placeholders(), 77, h.net.now), "the host keeps the bytes");
        CryptoRequest.Open o = h.open();
        assertNotNull(o);
        assertEquals(77, o.hostRef());
        assertArrayEquals(new byte[h.frame.length - SealedFrame.OVERHEAD], o.data(), "placeholders only: the ciphertext never crossed");
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertEquals(1, h.datagramsAtB());
    }

    @Test
    void aReferenceOfZeroIsThePlainCallWithTheBytesInIt() {
        Held h = new Held(true);
        assertFalse(h.b.handleDatagram(h.net.endpoints.get(0), h.frame, 0, h.net.now), "nothing kept: the bytes came in the call");
        CryptoRequest.Open o = h.open();
        assertEquals(0, o.hostRef());
        assertArrayEquals(java.util.Arrays.copyOfRange(h.frame, SealedFrame.OVERHEAD, h.frame.length), o.data());
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertEquals(1, h.datagramsAtB());
    }

    @Test
    void aFrameThatNeverGetsAnOpenRequestIsNotKept() {
        Held h = new Held(true);
        byte[] junk = h.placeholders();
        junk[0] = 'X'; // not a frame at all
        assertFalse(h.b.handleDatagram(h.net.endpoints.get(0), junk, 5, h.net.now));
        assertNull(h.open());
        assertTrue(h.b.handleDatagram(h.net.endpoints.get(0), h.placeholders(), 6, h.net.now));
        CryptoRequest.Open o = h.open();
        h.b.cryptoDone(o.id(), h.openKept(o), h.net.now);
        assertFalse(h.b.handleDatagram(h.net.endpoints.get(0), h.placeholders(), 7, h.net.now), "a replay is refused before any request");
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
        assertFalse(h.b.handleDatagram(h.net.endpoints.get(0), h.placeholders(), 9, h.net.now));
        assertEquals(1, h.b.droppedCount(ErrorCode.INVALID_STATE));
        assertEquals(0, h.b.droppedCount(ErrorCode.AEAD_FAILED), "never opened: no failure counted against the peer");
        assertEquals(0, h.datagramsAtB());
    }

    @Test
    void aFailedAnswerHandsTheKeptBytesBackIntoThePlaceholdersFirst() {
        Held h = new Held(true);
        h.b.handleDatagram(h.net.endpoints.get(0), h.placeholders(), 77, h.net.now);
        CryptoRequest.Open o = h.open();
        byte[] kept = java.util.Arrays.copyOfRange(h.frame, SealedFrame.OVERHEAD, h.frame.length);
        assertFalse(h.b.cryptoRestore(o.id(), new byte[kept.length - 1]), "a wrong length changes nothing");
        assertFalse(h.b.cryptoRestore(o.id() + 1, kept), "nor an id that is not an open with a host reference");
        assertFalse(h.b.cryptoRestore(o.id(), null), "nor no bytes at all");
        assertArrayEquals(new byte[kept.length], o.data());
        assertTrue(h.b.cryptoRestore(o.id(), kept));
        assertArrayEquals(kept, o.data(), "the frame's own ciphertext is in place");
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
