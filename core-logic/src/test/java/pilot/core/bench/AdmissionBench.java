package pilot.core.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.PilaTrailer;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PeerTable;
import pilot.core.handshake.PinnedTrust;
import pilot.core.stream.StreamConfig;
import pilot.core.stream.StreamOutput;
import pilot.core.stream.StreamTable;
import pilot.core.wire.Packet;

/**
 * What the probe-of-Nov-30 bounds cost (branch hostdos), each beside its reference in the same run:
 * a verified PILA from a new peer into a peer table full of 1,024 idle sessions (the eviction walk) against
 * the same PILA into a table with room; a SYN refused at a port holding 1,024 streams (one walk over them:
 * node, port, peer and half-open counts) against a SYN into an empty table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AdmissionBench {
    private static final int PEERS = 1024;
    private static final int POOL = 2048;
    private final CryptoSuite suite = new BouncyCastleSuite();
    private KeyExchange full;
    private KeyExchange roomy;
    private AuthKeyFrame[] pilas;
    private int next;
    private long now;
    private StreamTable busyPort;
    private StreamTable emptyPort;
    private int port = 10_000;

    @Setup
    public void setup() {
        LocalIdentity us = new LocalIdentity(1, suite.ed25519(new SeededEntropy(1).bytes(32)));
        PinnedTrust trust = new PinnedTrust();
        pilas = new AuthKeyFrame[POOL];
        for (int i = 0; i < POOL; i++) {
            int node = 1000 + i;
            var key = suite.ed25519(new SeededEntropy(node).bytes(32));
            trust.pin(node, key.publicKey());
            byte[] x = suite.x25519PublicKey(new SeededEntropy(node * 7L).bytes(32));
            pilas[i] = new AuthKeyFrame(node, x, key.publicKey(), key.sign(AuthKeyFrame.challenge(node, x)), PilaTrailer.NONE);
        }
        HandshakeLimits unlimited = HandshakeLimits.DEFAULTS.withRate(1_000_000_000, 16)
                .withBudgets(1_000_000_000, 1_000_000_000, 1_000_000_000);
        full = new KeyExchange(us, suite, new SeededEntropy(2), trust, WireProfile.MODERN, unlimited);
        roomy = new KeyExchange(us, suite, new SeededEntropy(3), trust, WireProfile.MODERN, unlimited);
        for (int i = 0; i < PEERS; i++) {
            full.onAuthFrame(pilas[i], "s", 0); // 1,024 sessions that then go quiet
        }
        next = PEERS;
        now = PeerTable.IDLE_SESSION_MILLIS;

        StreamTable.Limits fast = new StreamTable.Limits(4096, 1024, 1_000_000_000, 1_000_000_000, 4096, 256, 32, 5_000);
        busyPort = new StreamTable(new Address(0, 1), StreamConfig.DEFAULTS, fast, 0);
        emptyPort = new StreamTable(new Address(0, 1), StreamConfig.DEFAULTS, fast, 0);
        busyPort.listen(7);
        emptyPort.listen(7);
        for (int i = 0; i < 1024; i++) {
            Address peer = new Address(0, 100 + i / 200); // 1,024 answered streams, from 6 peers
            busyPort.onPacket(syn(peer, port), 0);
            busyPort.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, peer, new Address(0, 1), port++, 7, 1, 1, 64, null), 0);
        }
        drain(busyPort);
        if (busyPort.activeCount() != 1024 || !pilaIntoAFullTableOfIdleSessions() || full.peers().idleEvictions() != 1) {
            throw new IllegalStateException("setup: " + busyPort.activeCount() + " streams, " + full.peerCount() + " peers");
        }
    }

    /** A verified PILA of a new peer: the table is full, the session idle the longest makes room. */
    @Benchmark
    public boolean pilaIntoAFullTableOfIdleSessions() {
        now += PeerTable.IDLE_SESSION_MILLIS; // every session is idle long enough
        boolean ok = full.onAuthFrame(pilas[next], "s", now).isOk();
        next = next + 1 == POOL ? 0 : next + 1;
        return ok;
    }

    /** Reference: the same PILA into a table with room. */
    @Benchmark
    public boolean pilaIntoATableWithRoom() {
        now += 1;
        AuthKeyFrame f = pilas[next];
        boolean ok = roomy.onAuthFrame(f, "s", now).isOk();
        roomy.forget(f.senderNode());
        next = next + 1 == POOL ? 0 : next + 1;
        return ok;
    }

    /** A SYN from a seventh peer to a port holding 1,024 streams: refused with RST after one walk. */
    @Benchmark
    public Object synAtAFullPort() {
        busyPort.onPacket(syn(new Address(0, 99), port), 1);
        return drain(busyPort);
    }

    /** Reference: a SYN into an empty table, accepted (the stream then reset so the table stays empty). */
    @Benchmark
    public Object synIntoAnEmptyTable() {
        emptyPort.onPacket(syn(new Address(0, 99), port), 1);
        Object o = drain(emptyPort);
        for (int id : emptyPort.streamIds()) {
            emptyPort.abort(id, 1);
        }
        drain(emptyPort);
        return o;
    }

    private static Packet syn(Address from, int srcPort) {
        return new Packet(Packet.SYN, Packet.PROTO_STREAM, from, new Address(0, 1), srcPort, 7, 0, 0, 64, null);
    }

    private static Object drain(StreamTable t) {
        Object last = null;
        for (StreamOutput o = t.poll(); o != null; o = t.poll()) {
            last = o;
        }
        return last;
    }
}
