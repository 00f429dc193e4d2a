package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Session;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;

/**
 * The AEAD as an effect (docs/ARCHITECTURE.md "Built: AEAD as an effect"), node 1 asking its host for every
 * seal and open and node 0 sealing in the call: answers in any order keep the replay window and the wire
 * order; the in-flight bound drops sealed frames before any work and makes writers wait; a forged frame
 * answered as a failure changes nothing; an answer for a session replaced meanwhile is ignored. Orders come
 * from seeded generators, so a failing seed replays.
 */
class DeferredAeadTest {
    private static final int PORT = 2000;
    private final Net net = new Net();
    private final PilotNode a;
    private final PilotNode b;
    private final SuiteAeadDriver host;

    DeferredAeadTest() {
        NodeConfig cfg = NodeConfig.DEFAULTS.withEcho(false);
        a = net.add(cfg);
        b = net.addDeferred(cfg);
        host = net.drivers.get(1);
        net.meshKnown();
        a.listen(PORT);
        b.listen(PORT);
        a.sendDatagram(b.address(), PORT, new byte[] {0}, net.now);
        net.run(200);
        assertTrue(a.hasSession(b.address().node()) && b.hasSession(a.address().node()), "handshake");
        net.events.get(0).clear();
        net.events.get(1).clear();
    }

    /** Frames node 0 sealed for datagrams {@code first .. first + n - 1} (payload: the index), taken off its outbox. */
    private List<byte[]> framesFromA(int first, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = first; i < first + n; i++) {
            a.sendDatagram(b.address(), PORT, new byte[] {(byte) (i >> 8), (byte) i}, net.now);
            for (Transmit t = a.pollTransmit(); t != null; t = a.pollTransmit()) {
                out.add(t.datagram());
            }
        }
        return out;
    }

    private List<Integer> datagramsAtB() {
        List<Integer> got = new ArrayList<>();
        for (NodeEvent e = b.pollEvent(); e != null; e = b.pollEvent()) {
            net.events.get(1).add(e);
            if (e instanceof NodeEvent.Datagram d) {
                got.add((d.data()[0] & 0xFF) << 8 | d.data()[1] & 0xFF);
            }
        }
        return got;
    }

    private static <T> void shuffle(List<T> xs, SeededEntropy rng) {
        for (int i = xs.size() - 1; i > 0; i--) {
            int j = (int) Long.remainderUnsigned(rng.nextLong(), i + 1);
            T t = xs.get(i);
            xs.set(i, xs.get(j));
            xs.set(j, t);
        }
    }

    private static long counterOf(byte[] frame) {
        return ((SealedFrame) FrameCodec.decode(frame).value()).counter();
    }

    @Test
    void answersInAnyOrderDeliverEachFrameOnceAndKeepTheWindow() {
        for (long seed = 1; seed <= 30; seed++) {
            SeededEntropy rng = new SeededEntropy(seed);
            int base = (int) seed * 100;
            List<byte[]> frames = framesFromA(base, 40);
            List<byte[]> arriving = new ArrayList<>(frames);
            int copies = 0;
            for (byte[] f : frames) {
                if ((rng.nextLong() & 3) == 0) {
                    arriving.add(f); // a duplicate, in flight at the same time as the original
                    copies++;
                }
            }
            shuffle(arriving, rng);
            long replaysBefore = b.droppedCount(ErrorCode.REPLAY);
            for (byte[] f : arriving) {
                b.handleDatagram(net.endpoints.get(0), f, net.now);
            }
            assertEquals(arriving.size(), b.cryptoInFlight(), "seed " + seed + ": one open per frame, none answered yet");
            assertNull(b.pollEvent(), "nothing is delivered before the AEAD answered");
            List<pilot.core.node.CryptoRequest> opens = host.take(b);
            shuffle(opens, rng);
            for (pilot.core.node.CryptoRequest r : opens) {
                host.answer(b, r, net.now);
            }
            List<Integer> got = datagramsAtB();
            got.sort(Integer::compare);
            List<Integer> want = new ArrayList<>();
            for (int i = base; i < base + 40; i++) {
                want.add(i);
            }
            assertEquals(want, got, "seed " + seed + ": every datagram exactly once");
            assertEquals(copies, b.droppedCount(ErrorCode.REPLAY) - replaysBefore, "seed " + seed + ": each copy is a replay");
            assertEquals(0, b.cryptoInFlight());
            // played back after they were all accepted: refused by the window's check, before any AEAD request
            for (byte[] f : frames) {
                b.handleDatagram(net.endpoints.get(0), f, net.now);
            }
            assertEquals(0, b.cryptoInFlight(), "seed " + seed);
            assertEquals(List.of(), datagramsAtB());
        }
    }

    @Test
    void sealsAnsweredInAnyOrderLeaveInRequestOrder() {
        for (long seed = 1; seed <= 30; seed++) {
            SeededEntropy rng = new SeededEntropy(seed);
            for (int i = 0; i < 25; i++) {
                b.sendDatagram(a.address(), PORT, new byte[] {(byte) seed, (byte) i}, net.now);
            }
            List<pilot.core.node.CryptoRequest> seals = host.take(b);
            assertEquals(25, seals.size());
            shuffle(seals, rng);
            List<byte[]> wire = new ArrayList<>();
            for (pilot.core.node.CryptoRequest r : seals) {
                host.answer(b, r, net.now);
                for (Transmit t = b.pollTransmit(); t != null; t = b.pollTransmit()) {
                    wire.add(t.datagram()); // only a prefix of the requests may have left
                }
            }
            assertEquals(25, wire.size(), "seed " + seed);
            for (int i = 1; i < wire.size(); i++) {
                assertEquals(counterOf(wire.get(i - 1)) + 1, counterOf(wire.get(i)), "seed " + seed + ": counters in request order");
            }
            for (byte[] f : wire) {
                a.handleDatagram(net.endpoints.get(1), f, net.now);
            }
            int n = 0;
            for (NodeEvent e = a.pollEvent(); e != null; e = a.pollEvent()) {
                if (e instanceof NodeEvent.Datagram d) {
                    assertEquals(n++, d.data()[1], "seed " + seed + ": the peer gets them in the order they were sent");
                }
            }
            assertEquals(25, n);
        }
    }

    @Test
    void atTheInFlightBoundSealedFramesAreDroppedBeforeAnyWorkAndWritersWait() {
        net.run(10);
        a.listen(3000);
        int stream = b.openStream(a.address(), 3000, net.now).value();
        net.run(100);
        List<byte[]> frames = framesFromA(0, PilotNode.MAX_CRYPTO_IN_FLIGHT + 5);
        for (int i = 0; i < PilotNode.MAX_CRYPTO_IN_FLIGHT; i++) {
            b.handleDatagram(net.endpoints.get(0), frames.get(i), net.now);
        }
        assertEquals(PilotNode.MAX_CRYPTO_IN_FLIGHT, b.cryptoInFlight());
        List<pilot.core.node.CryptoRequest> asked = host.take(b);
        long limited = b.droppedCount(ErrorCode.LIMIT_REACHED);
        for (int i = PilotNode.MAX_CRYPTO_IN_FLIGHT; i < frames.size(); i++) {
            b.handleDatagram(net.endpoints.get(0), frames.get(i), net.now);
        }
        assertEquals(5, b.droppedCount(ErrorCode.LIMIT_REACHED) - limited, "dropped and counted");
        assertEquals(PilotNode.MAX_CRYPTO_IN_FLIGHT, b.cryptoInFlight(), "no request for them");
        assertNull(b.pollCrypto());
        assertEquals(0, b.write(stream, new byte[1000], net.now).value(), "the writer is told to wait");
        for (pilot.core.node.CryptoRequest r : asked) {
            host.answer(b, r, net.now);
        }
        assertEquals(PilotNode.MAX_CRYPTO_IN_FLIGHT, datagramsAtB().size() + 0, "the admitted frames were delivered");
        net.drain();
        assertTrue(net.eventsOf(1, NodeEvent.StreamWritable.class).stream().anyMatch(w -> w.stream() == stream),
                "STREAM_WRITABLE once the AEAD is below its bound");
        assertEquals(1000, b.write(stream, new byte[1000], net.now).value());
    }

    @Test
    void aForgedFrameAnsweredAsAFailureChangesNothing() {
        byte[] genuine = framesFromA(7, 1).get(0);
        byte[] forged = genuine.clone();
        forged[forged.length - 1] ^= 1; // same sender and counter, the tag no longer verifies
        Session before = b.keyExchange().session(a.address().node());
        long max = before.receiveMax();
        long failed = b.droppedCount(ErrorCode.AEAD_FAILED);
        b.handleDatagram(net.endpoints.get(0), forged, net.now);
        net.drain();
        assertEquals(1, b.droppedCount(ErrorCode.AEAD_FAILED) - failed);
        assertSame(before, b.keyExchange().session(a.address().node()), "the session stays");
        assertEquals(max, before.receiveMax(), "the window did not move");
        // the host itself may fail an open (null): the same, and the genuine frame is still accepted after
        b.handleDatagram(net.endpoints.get(0), genuine, net.now);
        pilot.core.node.CryptoRequest.Cipher open = (pilot.core.node.CryptoRequest.Cipher) host.take(b).get(0);
        b.cryptoDone(open.id(), null, net.now);
        assertEquals(2, b.droppedCount(ErrorCode.AEAD_FAILED) - failed);
        assertEquals(max, before.receiveMax());
        b.handleDatagram(net.endpoints.get(0), genuine, net.now);
        net.drain();
        assertEquals(List.of(7), net.eventsOf(1, NodeEvent.Datagram.class).stream()
                .map(d -> (d.data()[0] & 0xFF) << 8 | d.data()[1] & 0xFF).toList());
        // answers for ids never asked, or answered twice, change nothing but a count
        long invalid = b.droppedCount(ErrorCode.INVALID_ARGUMENT);
        b.cryptoDone(open.id(), new byte[10], net.now);
        b.cryptoDone(123456, null, net.now);
        assertEquals(2, b.droppedCount(ErrorCode.INVALID_ARGUMENT) - invalid);
    }

    @Test
    void anAnswerForASessionReplacedMeanwhileIsIgnored() {
        byte[] frame = framesFromA(9, 1).get(0);
        b.handleDatagram(net.endpoints.get(0), frame, net.now);
        List<pilot.core.node.CryptoRequest> asked = host.take(b);
        assertEquals(1, asked.size());
        // a fresh handshake replaces the session while the open is in flight, and completes
        assertTrue(b.rehandshake(a.address().node(), net.now));
        net.run(200);
        Session replaced = b.keyExchange().session(a.address().node());
        assertNotNull(replaced);
        long stale = b.droppedCount(ErrorCode.STALE_KEY);
        net.events.get(1).clear();
        host.answer(b, asked.get(0), net.now); // the right plaintext, but for the session that is gone
        net.drain();
        assertEquals(1, b.droppedCount(ErrorCode.STALE_KEY) - stale);
        assertEquals(List.of(), net.eventsOf(1, NodeEvent.Datagram.class), "not delivered");
        assertSame(replaced, b.keyExchange().session(a.address().node()));
        // keys the host holds stay bounded: current and previous session of the one peer, whatever the
        // handshakes do; and re-handshakes of ours in a row keep this pair's session
        // (RehandshakeTest.twoRehandshakesInARowWithTrafficBetweenKeepTheSession)
        for (int i = 0; i < 5; i++) {
            b.rehandshake(a.address().node(), net.now);
            net.run(10_000); // the peer's key-exchange rate limit may hold an answer for a retry
            a.sendDatagram(b.address(), PORT, new byte[] {1, 2}, net.now);
            net.run(50);
        }
        assertTrue(b.cryptoKeys() <= 2, "keys held: " + b.cryptoKeys());
        assertEquals(b.cryptoKeys(), host.keyCount(), "the host holds exactly what the node installed and did not drop");
        assertTrue(b.hasSession(a.address().node()), "the pair still holds a session");
    }
}
