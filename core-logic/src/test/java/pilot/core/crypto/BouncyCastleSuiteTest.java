package pilot.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import pilot.core.wire.Hex;

/** The suite against the RFC test vectors and against the JDK's own AES-GCM. */
class BouncyCastleSuiteTest {
    private final CryptoSuite suite = new BouncyCastleSuite();

    @Test
    void x25519MatchesRfc7748Section61() {
        byte[] a = Hex.decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] b = Hex.decode("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Hex.encode(suite.x25519PublicKey(a)));
        assertEquals("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Hex.encode(suite.x25519PublicKey(b)));
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertEquals(shared, Hex.encode(suite.x25519SharedSecret(a, suite.x25519PublicKey(b))));
        assertEquals(shared, Hex.encode(suite.x25519SharedSecret(b, suite.x25519PublicKey(a))));
    }

    @Test
    void lowOrderPeerKeysGiveNoSecret() {
        byte[] priv = new SeededEntropy(1).bytes(32);
        assertNull(suite.x25519SharedSecret(priv, new byte[32]));        // u = 0
        byte[] one = new byte[32];
        one[0] = 1;
        assertNull(suite.x25519SharedSecret(priv, one));                 // u = 1
        assertNull(suite.x25519SharedSecret(priv, new byte[31]));
        assertNull(suite.x25519SharedSecret(null, one));
    }

    @Test
    void ed25519MatchesRfc8032Test1() {
        SigningKey k = suite.ed25519(Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Hex.encode(k.publicKey()));
        byte[] sig = k.sign(new byte[0]);
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                Hex.encode(sig));
        assertTrue(suite.ed25519Verify(k.publicKey(), new byte[0], sig));
        sig[0] ^= 1;
        assertFalse(suite.ed25519Verify(k.publicKey(), new byte[0], sig));
    }

    @Test
    void ed25519VerifyRefusesMalformedInputWithoutThrowing() {
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xFF);
        assertFalse(suite.ed25519Verify(notAPoint, new byte[1], new byte[64]));
        assertFalse(suite.ed25519Verify(new byte[31], new byte[1], new byte[64]));
        assertFalse(suite.ed25519Verify(new byte[32], new byte[1], new byte[63]));
        assertFalse(suite.ed25519Verify(new byte[32], null, new byte[64]));
        assertThrows(IllegalArgumentException.class, () -> suite.ed25519(new byte[31]));
    }

    @Test
    void hkdfMatchesRfc5869Case1() {
        byte[] okm = suite.hkdfSha256(Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                Hex.decode("000102030405060708090a0b0c"), Hex.decode("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", Hex.encode(okm));
        // empty salt and 32 zero bytes are the same HMAC key (spec D.5)
        assertArrayEquals(suite.hkdfSha256(okm, null, new byte[1], 32), suite.hkdfSha256(okm, new byte[32], new byte[1], 32));
        assertArrayEquals(suite.hkdfSha256(okm, new byte[0], new byte[1], 32), suite.hkdfSha256(okm, new byte[32], new byte[1], 32));
    }

    @Test
    void sha256OfAbc() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hex.encode(suite.sha256("abc".getBytes())));
    }

    @Property(tries = 200)
    void aesGcmMatchesTheJdk(@ForAll @Size(32) byte[] key, @ForAll @Size(12) byte[] nonce,
                             @ForAll @Size(max = 40) byte[] aad, @ForAll @Size(max = 2000) byte[] plaintext) throws Exception {
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jdk.updateAAD(aad);
        byte[] expected = jdk.doFinal(plaintext);
        Aead aead = suite.aes256Gcm(key);
        byte[] sealed = aead.seal(nonce, aad, plaintext, 0, plaintext.length);
        assertArrayEquals(expected, sealed);
        assertArrayEquals(plaintext, aead.open(nonce, aad, sealed, 0, sealed.length));
    }

    @Test
    void aesGcmOpenRefusesTamperingAndNonsense() {
        Aead aead = suite.aes256Gcm(new byte[32]);
        byte[] nonce = new byte[12];
        byte[] sealed = aead.seal(nonce, new byte[] {1}, new byte[] {5, 6, 7}, 0, 3);
        assertArrayEquals(new byte[] {5, 6, 7}, aead.open(nonce, new byte[] {1}, sealed, 0, sealed.length));
        assertNull(aead.open(nonce, new byte[] {2}, sealed, 0, sealed.length));
        sealed[0] ^= 1;
        assertNull(aead.open(nonce, new byte[] {1}, sealed, 0, sealed.length));
        assertNull(aead.open(new byte[11], new byte[0], sealed, 0, sealed.length));
        assertNull(aead.open(nonce, new byte[0], sealed, 0, 15));
        assertNull(aead.open(nonce, new byte[0], sealed, 10, sealed.length));
        // the instance keeps working after failures
        byte[] again = aead.seal(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new byte[0], new byte[] {9}, 0, 1);
        assertArrayEquals(new byte[] {9}, aead.open(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new byte[0], again, 0, again.length));
        assertThrows(IllegalArgumentException.class, () -> suite.aes256Gcm(new byte[16]));
    }

    @Test
    void seededEntropyIsDeterministic() {
        assertArrayEquals(new SeededEntropy(7).bytes(33), new SeededEntropy(7).bytes(33));
        assertFalse(java.util.Arrays.equals(new SeededEntropy(7).bytes(16), new SeededEntropy(8).bytes(16)));
    }
}
