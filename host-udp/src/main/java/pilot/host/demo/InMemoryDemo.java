package pilot.host.demo;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.SealedFrame;
import pilot.core.frame.TunnelFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.HandshakeResult;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.wire.Bytes;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * Two in-memory Pilot peers run the authenticated key exchange (PILA) and exchange sealed (PILS)
 * packets, then an attacker replays and tampers with frames. Every datagram is real wire bytes passed
 * between two core-logic state objects; no sockets are involved.
 */
public final class InMemoryDemo {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final PrintStream out;
    private final CryptoSuite suite = new BouncyCastleSuite();
    private long now;

    InMemoryDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        WireProfile profile = args.length > 0 ? WireProfile.parse(args[0]) : WireProfile.MODERN;
        if (profile == null) {
            System.err.println("usage: InMemoryDemo [modern|feb2026]");
            System.exit(2);
        }
        System.exit(new InMemoryDemo(System.out).run(profile) ? 0 : 1);
    }

    private void say(String fmt, Object... args) {
        out.println(LocalTime.now().format(CLOCK) + "  " + String.format(fmt, args));
    }

    private final class Peer {
        final String name;
        final LocalIdentity identity;
        KeyExchange kx;

        Peer(String name, int node, Entropy entropy, PinnedTrust trust, WireProfile profile) {
            this.name = name;
            this.identity = new LocalIdentity(node, suite.ed25519(entropy.bytes(32)));
            trust.pin(node, identity.publicKey());
            this.kx = new KeyExchange(identity, suite, entropy, trust, profile, HandshakeLimits.DEFAULTS);
        }

        Address address() {
            return new Address(1, identity.node());
        }

        /** Handles one datagram; returns the reply datagram or null. */
        byte[] receive(byte[] datagram, String from) {
            Result<TunnelFrame> frame = FrameCodec.decode(datagram);
            if (!frame.isOk()) {
                say("%s drops datagram from %s: %s", name, from, frame);
                return null;
            }
            if (frame.value() instanceof AuthKeyFrame pila) {
                HandshakeResult r = kx.onAuthFrame(pila, from, now);
                say("%s <- PILA from %s (%d bytes): %s", name, from, datagram.length,
                        r.isOk() ? (r.installed() ? "verified, session installed" : "verified, key unchanged: state kept")
                                : "REFUSED " + r.error() + " (" + r.detail() + ")");
                return r.reply();
            }
            if (frame.value() instanceof SealedFrame sealed) {
                Result<Packet> p = kx.open(sealed, now).packet();
                if (p.isOk()) {
                    say("%s <- PILS #%s from %s: \"%s\"", name, Long.toUnsignedString(sealed.counter()), from,
                            new String(p.value().payload(), StandardCharsets.UTF_8));
                } else {
                    say("%s <- PILS #%s from %s: REFUSED %s", name, Long.toUnsignedString(sealed.counter()), from, p.error());
                }
            }
            return null;
        }

        byte[] send(Peer to, String text) {
            Packet p = new Packet(0, Packet.PROTO_DATAGRAM, address(), to.address(), 49152, 1001, 0, 0, 0,
                    text.getBytes(StandardCharsets.UTF_8));
            byte[] wire = kx.seal(to.identity.node(), PacketCodec.encode(p)).value();
            say("%s -> PILS to %s: %d-byte packet sealed into a %d-byte frame", name, to.name, PacketCodec.HEADER_SIZE
                    + p.payloadLength(), wire.length);
            return wire;
        }
    }

    boolean run(WireProfile profile) {
        SecureRandom rng = new SecureRandom();
        Entropy entropy = rng::nextBytes;
        PinnedTrust trust = new PinnedTrust();
        Peer alice = new Peer("alice", 0x0000A11C, entropy, trust, profile);
        Peer bob = new Peer("bob", 0x00000B0B, entropy, trust, profile);
        say("wire profile: %s", profile.name().toLowerCase());
        for (Peer p : new Peer[] {alice, bob}) {
            say("%-5s address %s  Ed25519 %s", p.name, p.address(), Hex.encode(p.identity.publicKey()));
        }

        say("--- authenticated key exchange (PILA) ---");
        byte[] pila = alice.kx.startHandshake(bob.identity.node(), now).value();
        say("alice -> PILA to bob: fresh X25519 key, signed with alice's Ed25519 identity (%d bytes)", pila.length);
        byte[] answer = bob.receive(pila, "alice");
        say("bob   -> PILA to alice (answer)");
        byte[] confirm = alice.receive(answer, "bob");
        bob.receive(confirm, "alice");
        boolean ok = alice.kx.hasSession(bob.identity.node()) && bob.kx.hasSession(alice.identity.node());

        say("--- sealed packets (PILS, AES-256-GCM) ---");
        byte[] hello = alice.send(bob, "hello bob, this is alice");
        bob.receive(hello, "alice");
        alice.receive(bob.send(alice, "hi alice, bob here"), "bob");

        say("--- an attacker on the path ---");
        say("replaying alice's first frame:");
        ok &= !kxAccepts(bob, hello, ErrorCode.REPLAY);
        byte[] tampered = alice.send(bob, "transfer 10 coins");
        tampered[tampered.length - 20] ^= 0x01;
        say("flipping one ciphertext bit in transit:");
        ok &= !kxAccepts(bob, tampered, ErrorCode.AEAD_FAILED);
        byte[] forgedCounter = alice.send(bob, "genuine");
        Bytes.put64(forgedCounter, 12, Long.MIN_VALUE);
        say("rewriting the counter to 2^63 (would wedge a Feb-2026 window):");
        ok &= !kxAccepts(bob, forgedCounter, ErrorCode.AEAD_FAILED);
        bob.receive(alice.send(bob, "still flowing after the attacks"), "alice");

        say("--- bob restarts (new process, new X25519 key) ---");
        bob.kx = new KeyExchange(bob.identity, suite, entropy, trust, profile, HandshakeLimits.DEFAULTS);
        byte[] again = bob.kx.startHandshake(alice.identity.node(), now).value();
        byte[] reply = alice.receive(again, "bob");
        bob.receive(reply, "alice");
        bob.receive(alice.send(bob, "welcome back, bob"), "alice");
        ok &= bob.kx.hasSession(alice.identity.node());

        say(ok ? "done: handshake, sealed exchange, attacks refused, restart recovered" : "FAILED");
        return ok;
    }

    private boolean kxAccepts(Peer to, byte[] wire, ErrorCode expected) {
        Result<Packet> r = to.kx.open((SealedFrame) FrameCodec.decode(wire).value(), now).packet();
        say("  bob refuses it: %s%s", r.isOk() ? "NOT REFUSED" : r.error(), r.error() == expected ? "" : " (unexpected)");
        return r.isOk() || r.error() != expected;
    }
}
