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
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;

/**
 * One complete PILA exchange, both sides: A builds and signs its PILA, B verifies it, derives the session
 * and signs its answer, A verifies that and derives its session (2 X25519 keygens, 2 agreements,
 * 2 signatures, 2 verifications), plus B's check of A's confirming PILA.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBench {
    private KeyExchange a;
    private KeyExchange b;
    private long now;

    @Setup
    public void setup() {
        CryptoSuite suite = new BouncyCastleSuite();
        LocalIdentity ia = new LocalIdentity(1, suite.ed25519(new SeededEntropy(1).bytes(32)));
        LocalIdentity ib = new LocalIdentity(2, suite.ed25519(new SeededEntropy(2).bytes(32)));
        PinnedTrust trust = new PinnedTrust().pin(1, ia.publicKey()).pin(2, ib.publicKey());
        HandshakeLimits unlimited = HandshakeLimits.DEFAULTS.withRate(1_000_000_000, 16)
                .withBudgets(1_000_000_000, 1_000_000_000, 1_000_000_000);
        a = new KeyExchange(ia, suite, new SeededEntropy(3), trust, WireProfile.MODERN, unlimited);
        b = new KeyExchange(ib, suite, new SeededEntropy(4), trust, WireProfile.MODERN, unlimited);
    }

    @Benchmark
    public boolean fullHandshakeBothSides() {
        now += 1;
        b.forget(1);
        byte[] pila = a.startHandshake(2, now).value();
        HandshakeResult atB = b.onAuthFrame((AuthKeyFrame) FrameCodec.decode(pila).value(), "a", now);
        HandshakeResult atA = a.onAuthFrame((AuthKeyFrame) FrameCodec.decode(atB.reply()).value(), "b", now);
        return b.onAuthFrame((AuthKeyFrame) FrameCodec.decode(atA.reply()).value(), "a", now).isOk();
    }
}
