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
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** Seal + open of one 1,200-byte packet (1,166 bytes payload + 34 header), the full PILS path on both sides. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EnvelopeBench {
    private Session tx;
    private Session rx;
    private byte[] packet;

    @Setup
    public void setup() {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        byte[] key = new SeededEntropy(1).bytes(32);
        tx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[] {1, 2, 3, 4}, 0);
        rx = Session.fromKey(WireProfile.MODERN, suite, key, new byte[4], 0);
        packet = PacketCodec.encode(new Packet(Packet.ACK, Packet.PROTO_STREAM, new Address(0, 1), new Address(0, 2), 1, 2, 3, 4, 5,
                new SeededEntropy(2).bytes(1200 - PacketCodec.HEADER_SIZE)));
    }

    @Benchmark
    public Result<Packet> sealAndOpen1200() {
        byte[] wire = Envelope.seal(tx, 1, packet);
        return Envelope.open(rx, (SealedFrame) FrameCodec.decode(wire).value());
    }
}
