package pilot.core.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Malformed key material and ciphertext bounds give null or false from the suite, never an exception. */
class SuiteInputsTest {
    final CryptoSuite suite = new BouncyCastleSuite();
    final byte[] priv = new SeededEntropy(3).bytes(32);
    final byte[] pub = suite.x25519PublicKey(new SeededEntropy(4).bytes(32));

    @Test
    void anX25519AgreementNeeds32ByteKeysOnBothSides() {
        assertNotNull(suite.x25519SharedSecret(priv, pub));
        assertNull(suite.x25519SharedSecret(null, pub));
        assertNull(suite.x25519SharedSecret(new byte[31], pub));
        assertNull(suite.x25519SharedSecret(priv, null));
        assertNull(suite.x25519SharedSecret(priv, new byte[33]));
    }

    @Test
    void aSignatureOverNoMessageIsNotValid() {
        assertFalse(suite.ed25519Verify(new byte[32], null, new byte[64]));
    }

    @Test
    void openingRefusesBoundsOutsideTheCiphertextAndShortNonces() {
        Aead a = suite.aes256Gcm(new byte[32]);
        byte[] ct = a.seal(new byte[12], new byte[0], new byte[5], 0, 5);
        assertNull(suite.aes256Gcm(new byte[32]).open(new byte[11], new byte[0], ct, 0, ct.length), "nonce of 11");
        assertNull(suite.aes256Gcm(new byte[32]).open(new byte[12], new byte[0], null, 0, 0), "no ciphertext");
        assertNull(suite.aes256Gcm(new byte[32]).open(new byte[12], new byte[0], ct, -1, ct.length), "negative offset");
        assertNull(suite.aes256Gcm(new byte[32]).open(new byte[12], new byte[0], ct, 1, ct.length), "past the end");
        assertNotNull(suite.aes256Gcm(new byte[32]).open(new byte[12], new byte[0], ct, 0, ct.length));
    }
}
