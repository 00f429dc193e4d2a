package pilot.host.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import pilot.core.crypto.Aead;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.envelope.WireProfile;
import pilot.core.wire.Hex;

/** The JCE suite must be byte-identical to the Bouncy Castle suite the wasm build uses. */
class JceSuiteTest {
    final JceSuite jce = new JceSuite();
    final BouncyCastleSuite bc = new BouncyCastleSuite();

    @Test
    void aesGcmAgreesWithBouncyCastleBothWays() {
        SeededEntropy r = new SeededEntropy(5);
        for (int i = 0; i < 300; i++) {
            byte[] key = r.bytes(32);
            byte[] nonce = r.bytes(12);
            byte[] aad = r.bytes(i % 9);
            byte[] pt = r.bytes(i * 7 % 1500);
            Aead a = jce.aes256Gcm(key);
            Aead b = bc.aes256Gcm(key);
            byte[] sealed = a.seal(nonce, aad, pt, 0, pt.length);
            assertArrayEquals(b.seal(nonce, aad, pt, 0, pt.length), sealed);
            assertArrayEquals(pt, b.open(nonce, aad, sealed, 0, sealed.length));
            assertArrayEquals(pt, a.open(nonce, aad, sealed, 0, sealed.length));
            sealed[sealed.length - 1] ^= 1;
            assertNull(a.open(nonce, aad, sealed, 0, sealed.length));
        }
        assertNull(jce.aes256Gcm(new byte[32]).open(new byte[11], new byte[0], new byte[16], 0, 16));
    }

    @Test
    void sealIntoWritesTheSameBytesAtTheOffsetInBothSuites() {
        SeededEntropy r = new SeededEntropy(6);
        for (int i = 0; i < 100; i++) {
            byte[] key = r.bytes(32);
            byte[] nonce = r.bytes(12);
            byte[] pt = r.bytes(i * 13 % 1300);
            byte[] want = bc.aes256Gcm(key).seal(nonce, new byte[] {1, 2, 3, 4}, pt, 0, pt.length);
            for (Aead a : new Aead[] {jce.aes256Gcm(key), bc.aes256Gcm(key)}) {
                byte[] out = new byte[32 + pt.length + 16 + 5];
                assertEquals(pt.length + 16, a.sealInto(nonce, new byte[] {1, 2, 3, 4}, pt, 0, pt.length, out, 32));
                assertArrayEquals(want, java.util.Arrays.copyOfRange(out, 32, 32 + want.length));
                assertArrayEquals(new byte[5], java.util.Arrays.copyOfRange(out, out.length - 5, out.length));
            }
        }
    }

    @Test
    void keyDerivationMatchesTheSharedKdfVector() {
        byte[] shared = Hex.decode("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertEquals("3e765a2f49fe2a9185dd5d57c08a3525060d2d2c2b2a356fadef25f614d38662",
                Hex.encode(WireProfile.MODERN.sessionKey(jce, shared)));
        assertEquals("7fba3471bc8efe5a218c59651ad860926646b44c842bb2747ad11d976d60c50e",
                Hex.encode(WireProfile.FEB2026.sessionKey(jce, shared)));
        assertArrayEquals(bc.hkdfSha256(shared, new byte[] {1, 2}, new byte[] {3}, 80), jce.hkdfSha256(shared, new byte[] {1, 2}, new byte[] {3}, 80));
    }
}
