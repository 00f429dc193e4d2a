package pilot.core.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * {@link CryptoSuite} on Bouncy Castle's lightweight API only (no JCA provider), so TeaVM can compile it
 * to WebAssembly unchanged.
 */
public final class BouncyCastleSuite implements CryptoSuite {
    private static final int KEY = 32;

    @Override
    public byte[] x25519PublicKey(byte[] privateKey) {
        requireLength(privateKey, KEY, "X25519 private key");
        return new X25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
    }

    @Override
    public byte[] x25519SharedSecret(byte[] privateKey, byte[] peerPublicKey) {
        if (privateKey == null || privateKey.length != KEY || peerPublicKey == null || peerPublicKey.length != KEY) {
            return null;
        }
        byte[] out = new byte[KEY];
        X25519Agreement agreement = new X25519Agreement();
        agreement.init(new X25519PrivateKeyParameters(privateKey, 0));
        try {
            // Bouncy Castle refuses an all-zero result (low-order point) with IllegalStateException.
            agreement.calculateAgreement(new X25519PublicKeyParameters(peerPublicKey, 0), out, 0);
        } catch (IllegalStateException e) {
            return null;
        }
        int acc = 0;
        for (byte x : out) {
            acc |= x;
        }
        return acc == 0 ? null : out;
    }

    @Override
    public SigningKey ed25519(byte[] seed) {
        requireLength(seed, KEY, "Ed25519 seed");
        Ed25519PrivateKeyParameters priv = new Ed25519PrivateKeyParameters(seed, 0);
        byte[] pub = priv.generatePublicKey().getEncoded();
        return new SigningKey() {
            @Override
            public byte[] publicKey() {
                return pub.clone();
            }

            @Override
            public byte[] sign(byte[] message) {
                Ed25519Signer signer = new Ed25519Signer();
                signer.init(true, priv);
                signer.update(message, 0, message.length);
                return signer.generateSignature();
            }
        };
    }

    @Override
    public boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY || signature == null || signature.length != 64 || message == null) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            return false; // a public key that is not a curve point
        }
    }

    @Override
    public Aead aes256Gcm(byte[] key) {
        requireLength(key, KEY, "AES-256 key");
        return new GcmAead(key);
    }

    @Override
    public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
        gen.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt, info));
        byte[] out = new byte[length];
        gen.generateBytes(out, 0, length);
        return out;
    }

    @Override
    public byte[] sha256(byte[] data) {
        SHA256Digest d = new SHA256Digest();
        d.update(data, 0, data.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static void requireLength(byte[] b, int n, String what) {
        if (b == null || b.length != n) {
            throw new IllegalArgumentException(what + " must be " + n + " bytes");
        }
    }

    /**
     * Two GCM instances (seal, open) keyed once: passing a null key on later inits reuses the AES key
     * schedule and GHASH tables instead of rebuilding them per packet.
     */
    private static final class GcmAead implements Aead {
        private final GCMModeCipher sealer = GCMBlockCipher.newInstance(AESEngine.newInstance());
        private final GCMModeCipher opener = GCMBlockCipher.newInstance(AESEngine.newInstance());
        private KeyParameter sealKey;
        private KeyParameter openKey;

        GcmAead(byte[] key) {
            this.sealKey = new KeyParameter(key);
            this.openKey = new KeyParameter(key);
        }

        @Override
        public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len) {
            byte[] out = new byte[len + 16];
            sealInto(nonce, aad, plaintext, off, len, out, 0);
            return out;
        }

        @Override
        public int sealInto(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len, byte[] out, int outOff) {
            sealer.init(true, new AEADParameters(sealKey, 128, nonce, aad));
            sealKey = null;
            int n = sealer.processBytes(plaintext, off, len, out, outOff);
            try {
                return n + sealer.doFinal(out, outOff + n);
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException("GCM seal cannot fail", e);
            }
        }

        @Override
        public byte[] open(byte[] nonce, byte[] aad, byte[] ct, int off, int len) {
            if (nonce == null || nonce.length != 12 || ct == null || len < 16 || off < 0 || off + len > ct.length) {
                return null;
            }
            opener.init(false, new AEADParameters(openKey, 128, nonce, aad));
            openKey = null;
            byte[] out = new byte[len - 16];
            try {
                int n = opener.processBytes(ct, off, len, out, 0);
                opener.doFinal(out, n);
                return out;
            } catch (InvalidCipherTextException | RuntimeException e) {
                return null;
            }
        }
    }
}
