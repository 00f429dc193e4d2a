package pilot.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pilot.vectors.VectorFiles.hex;
import static pilot.vectors.VectorFiles.i;
import static pilot.vectors.VectorFiles.l;
import static pilot.vectors.VectorFiles.list;
import static pilot.vectors.VectorFiles.s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.envelope.Envelope;
import pilot.core.envelope.ReplayWindow;
import pilot.core.envelope.Session;
import pilot.core.envelope.WireProfile;
import pilot.core.frame.AnonKeyFrame;
import pilot.core.frame.AuthKeyFrame;
import pilot.core.frame.FrameCodec;
import pilot.core.frame.PilaTrailer;
import pilot.core.frame.PlainFrame;
import pilot.core.frame.SealedFrame;
import pilot.core.handshake.HandshakeLimits;
import pilot.core.handshake.KeyExchange;
import pilot.core.handshake.LocalIdentity;
import pilot.core.handshake.PinnedTrust;
import pilot.core.wire.Hex;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/** Every vector of the shared, independently computed set (spec B-F) must pass, byte for byte. */
class ReferenceVectorsTest {
    static final String DIR = "reference";
    final CryptoSuite suite = new BouncyCastleSuite();

    static Packet packetOf(Map<String, Object> f) {
        return new Packet(i(f, "flags"), i(f, "protocol"), new Address(i(f, "src_network"), (int) l(f, "src_node")),
                new Address(i(f, "dst_network"), (int) l(f, "dst_node")), i(f, "src_port"), i(f, "dst_port"),
                (int) l(f, "seq"), (int) l(f, "ack"), i(f, "window"), hex(f, "payload_hex"));
    }

    @TestFactory
    List<DynamicTest> headerVectors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> v : list(VectorFiles.load(DIR, "header.json"), "vectors")) {
            tests.add(DynamicTest.dynamicTest(s(v, "name"), () -> {
                Map<String, Object> f = VectorFiles.obj(v, "fields");
                assertEquals(1, i(f, "version"));
                Packet p = packetOf(f);
                byte[] wire = PacketCodec.encode(p);
                assertEquals(s(v, "wire_hex"), Hex.encode(wire));
                assertEquals(i(v, "wire_len"), wire.length);
                assertEquals(s(v, "checksum_hex"), Hex.encode(java.util.Arrays.copyOfRange(wire, 30, 34)));
                assertEquals(l(v, "checksum_uint32"), Integer.toUnsignedLong(pilot.core.wire.Bytes.i32(wire, 30)));
                assertEquals(s(v, "pilt_frame_hex"), Hex.encode(new PlainFrame(p).encode()));
                Packet back = PacketCodec.decode(hex(v, "wire_hex")).value();
                assertEquals(p, back);
                assertEquals(s(f, "src_addr_text"), back.src().toString());
                assertEquals(s(f, "dst_addr_text"), back.dst().toString());
                assertEquals(back.src(), Address.parse(s(f, "src_addr_text")).value());
                assertEquals(p, ((PlainFrame) FrameCodec.decode(hex(v, "pilt_frame_hex")).value()).packet());
                // any single changed byte is refused (checksum, or a length/version that no longer fits)
                for (int k = 0; k < wire.length; k++) {
                    byte[] bad = wire.clone();
                    bad[k] ^= 0x5A;
                    assertFalse(PacketCodec.decode(bad).isOk(), "byte " + k);
                }
            }));
        }
        return tests;
    }

    @Test
    void kdfVectors() {
        Map<String, Object> v = VectorFiles.load(DIR, "kdf.json");
        byte[] aPriv = hex(v, "a_x25519_private_hex");
        byte[] bPriv = hex(v, "b_x25519_private_hex");
        assertEquals(s(v, "a_x25519_public_hex"), Hex.encode(suite.x25519PublicKey(aPriv)));
        assertEquals(s(v, "b_x25519_public_hex"), Hex.encode(suite.x25519PublicKey(bPriv)));
        byte[] shared = suite.x25519SharedSecret(aPriv, hex(v, "b_x25519_public_hex"));
        assertEquals(s(v, "shared_secret_hex"), Hex.encode(shared));
        assertArrayEquals(shared, suite.x25519SharedSecret(bPriv, hex(v, "a_x25519_public_hex")));
        HMac hmac = new HMac(new SHA256Digest());
        hmac.init(new KeyParameter(new byte[32]));
        hmac.update(shared, 0, shared.length);
        byte[] prk = new byte[32];
        hmac.doFinal(prk, 0);
        assertEquals(s(v, "hkdf_prk_hex"), Hex.encode(prk));
        assertEquals("", s(v, "hkdf_salt_hex"));
        assertEquals("pilot-tunnel-v1", s(v, "hkdf_info_ascii"));
        assertEquals(s(v, "modern_session_key_hex"), Hex.encode(WireProfile.MODERN.sessionKey(suite, shared)));
        assertEquals("pilot-tunnel-v1:", s(v, "legacy_prefix_ascii"));
        assertEquals(s(v, "legacy_session_key_hex"), Hex.encode(WireProfile.FEB2026.sessionKey(suite, shared)));
    }

    static WireProfile profileOf(String mode) {
        return mode.equals("modern") ? WireProfile.MODERN : WireProfile.FEB2026;
    }

    @TestFactory
    List<DynamicTest> pilsVectors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> v : list(VectorFiles.load(DIR, "pils.json"), "vectors")) {
            tests.add(DynamicTest.dynamicTest(s(v, "name"), () -> {
                WireProfile profile = profileOf(s(v, "mode"));
                long counter = VectorFiles.u64(v.get("counter"));
                int sender = i(v, "sender_node_id");
                assertEquals(s(v, "aad_hex"), Hex.encode(profile.aad(sender)));
                Session tx = Session.fromKey(profile, suite, hex(v, "key_hex"), hex(v, "nonce_prefix_hex"), counter - 1);
                byte[] frame = Envelope.seal(tx, sender, hex(v, "plaintext_hex"));
                assertEquals(s(v, "frame_hex"), Hex.encode(frame));
                assertEquals(i(v, "frame_len"), frame.length);
                SealedFrame f = (SealedFrame) FrameCodec.decode(frame).value();
                assertEquals(s(v, "nonce_hex"), Hex.encode(f.nonce()));
                assertEquals(s(v, "ciphertext_and_tag_hex"), Hex.encode(f.ciphertext()));
                assertEquals(counter, f.counter());
                Session rx = Session.fromKey(profile, suite, hex(v, "key_hex"), new byte[4], 0);
                byte[] plain = suite.aes256Gcm(hex(v, "key_hex")).open(f.nonce(), profile.aad(sender), f.ciphertext(), 0,
                        f.ciphertext().length);
                assertEquals(s(v, "plaintext_hex"), Hex.encode(plain));
                Result<Packet> opened = Envelope.open(rx, f);
                Packet inner = PacketCodec.decode(plain).value();
                if (inner.src().node() == sender) {
                    assertEquals(inner, opened.value());
                } else {
                    // spec E.2 step 7: authentic, but the inner source is not the sealer
                    assertEquals(ErrorCode.SPOOFED_SOURCE, opened.error());
                }
                assertEquals(counter, rx.receiveMax(), "an authentic frame is recorded in the window");
                WireProfile other = profile == WireProfile.MODERN ? WireProfile.FEB2026 : WireProfile.MODERN;
                Session wrong = Session.fromKey(other, suite, hex(v, "key_hex"), new byte[4], 0);
                assertEquals(ErrorCode.AEAD_FAILED, Envelope.open(wrong, f).error());
            }));
        }
        return tests;
    }

    @Test
    void legacyAndModernShareCiphertextButNotTag() {
        Map<String, Map<String, Object>> byName = new java.util.HashMap<>();
        for (Map<String, Object> v : list(VectorFiles.load(DIR, "pils.json"), "vectors")) {
            byName.put(s(v, "name"), v);
        }
        String m = s(byName.get("modern_first"), "ciphertext_and_tag_hex");
        String l = s(byName.get("legacy_first"), "ciphertext_and_tag_hex");
        assertEquals(m.substring(0, m.length() - 32), l.substring(0, l.length() - 32));
        assertNotEquals(s(byName.get("modern_first"), "tag_hex"), s(byName.get("legacy_first"), "tag_hex"));
    }

    /** Entropy that hands out the given bytes (the vector's fixed X25519 scalar), then fails loudly. */
    static Entropy fixed(byte[]... chunks) {
        java.util.ArrayDeque<byte[]> q = new java.util.ArrayDeque<>(List.of(chunks));
        return dst -> {
            byte[] next = q.poll();
            if (next == null || next.length != dst.length) {
                throw new IllegalStateException("unexpected entropy request of " + dst.length);
            }
            System.arraycopy(next, 0, dst, 0, dst.length);
        };
    }

    @Test
    void keyExchangeVectors() {
        Map<String, Object> v = VectorFiles.load(DIR, "keyexchange.json");
        byte[] seed = hex(v, "ed25519_seed_hex");
        LocalIdentity id = new LocalIdentity((int) l(v, "node_id"), suite.ed25519(seed));
        assertEquals(s(v, "ed25519_public_hex"), Hex.encode(id.publicKey()));
        assertEquals(s(v, "ed25519_go_private_key_hex"), Hex.encode(seed) + Hex.encode(id.publicKey()));
        byte[] x = hex(v, "x25519_public_hex");
        assertEquals(Hex.encode(x), Hex.encode(suite.x25519PublicKey(hex(v, "x25519_private_hex"))));
        assertEquals(s(v, "challenge_hex"), Hex.encode(AuthKeyFrame.challenge(id.node(), x)));
        assertEquals(s(v, "signature_hex"), Hex.encode(id.signingKey().sign(AuthKeyFrame.challenge(id.node(), x))));
        // the frame our key exchange emits, given the vector's X25519 scalar as its entropy
        KeyExchange kx = new KeyExchange(id, suite, fixed(hex(v, "x25519_private_hex")), new PinnedTrust(),
                WireProfile.MODERN, HandshakeLimits.DEFAULTS);
        byte[] pila = kx.startHandshake(1, 0).value();
        assertEquals(s(v, "pila_frame_hex"), Hex.encode(pila));
        assertEquals(i(v, "pila_frame_len"), pila.length);
        AuthKeyFrame withTrailer = (AuthKeyFrame) FrameCodec.decode(hex(v, "pila_fork_trailer_frame_hex")).value();
        assertEquals(new PilaTrailer(1, PilaTrailer.FLAG_REQUEST), withTrailer.trailer());
        assertEquals(s(v, "pila_fork_trailer_frame_hex"), Hex.encode(withTrailer.encode()));
        assertTrue(suite.ed25519Verify(id.publicKey(), withTrailer.challenge(), withTrailer.signature()),
                "the trailer is outside the signature");
        AnonKeyFrame pilk = new AnonKeyFrame(id.node(), x);
        assertEquals(s(v, "pilk_frame_hex"), Hex.encode(pilk.encode()));
        assertEquals(i(v, "pilk_frame_len"), pilk.encode().length);
        assertEquals(pilk, FrameCodec.decode(hex(v, "pilk_frame_hex")).value());
    }

    static String verdict(ErrorCode e) {
        if (e == null) {
            return "accept";
        }
        return switch (e) {
            case REPLAY -> "replay";
            case TOO_OLD -> "too_old";
            case AEAD_FAILED -> "aead_fail";
            default -> throw new IllegalStateException("unexpected " + e);
        };
    }

    @TestFactory
    List<DynamicTest> replayVectors() {
        Map<String, Object> file = VectorFiles.load(DIR, "replay.json");
        assertEquals((long) ReplayWindow.SIZE, file.get("window_bits"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> c : list(file, "cases")) {
            tests.add(DynamicTest.dynamicTest(s(c, "name"), () -> {
                List<?> counters = (List<?>) c.get("counters");
                List<?> aeadOk = (List<?>) c.get("aead_ok");
                ReplayWindow modern = new ReplayWindow();
                ReplayWindow feb = new ReplayWindow();
                List<String> gotModern = new ArrayList<>();
                List<String> gotFeb = new ArrayList<>();
                for (int k = 0; k < counters.size(); k++) {
                    long ctr = VectorFiles.u64(counters.get(k));
                    boolean ok = (Boolean) aeadOk.get(k);
                    // modern-fixed (spec F.4): check, decrypt, commit only on success
                    ErrorCode m = modern.check(ctr);
                    if (m == null && !ok) {
                        m = ErrorCode.AEAD_FAILED;
                    } else if (m == null) {
                        modern.commit(ctr);
                    }
                    gotModern.add(verdict(m));
                    // Feb-2026 order: check and commit, decrypt, on failure clear only the bit
                    ErrorCode f = feb.check(ctr);
                    if (f == null) {
                        feb.commit(ctr);
                        if (!ok) {
                            feb.clear(ctr);
                            f = ErrorCode.AEAD_FAILED;
                        }
                    }
                    gotFeb.add(verdict(f));
                }
                assertEquals(c.get("expect_modern"), gotModern);
                assertEquals(c.get("expect_feb2026"), gotFeb);
            }));
        }
        return tests;
    }

    @Test
    void referenceCopiesMatchTheSharedOriginals() throws IOException {
        Path shared = Path.of(System.getProperty("pilot.shared.dir", "../../shared")).resolve("vectors");
        Assumptions.assumeTrue(Files.isDirectory(shared), "no ../shared/vectors beside the clone");
        Path ours = VectorFiles.moduleDir().resolve(DIR);
        int compared = 0;
        try (var files = Files.list(shared)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(ours.resolve(p.getFileName())),
                        "reference/" + p.getFileName() + " differs from ../shared/vectors");
                compared++;
            }
        }
        assertTrue(compared >= 5);
    }
}
