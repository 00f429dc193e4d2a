package pilot.host.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import pilot.core.crypto.Aead;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SigningKey;

/**
 * The JVM host's suite: AES-256-GCM, SHA-256 and HMAC from the JDK (hardware-accelerated AES-GCM),
 * X25519 and Ed25519 from Bouncy Castle (handshakes are rare; their cost does not matter here). The
 * known-answer vectors prove it byte-identical to {@link BouncyCastleSuite}, which the wasm build uses.
 */
public final class JceSuite implements CryptoSuite {
    private final BouncyCastleSuite asymmetric = new BouncyCastleSuite();

    @Override
    public byte[] x25519PublicKey(byte[] privateKey) {
        return asymmetric.x25519PublicKey(privateKey);
    }

    @Override
    public byte[] x25519SharedSecret(byte[] privateKey, byte[] peerPublicKey) {
        return asymmetric.x25519SharedSecret(privateKey, peerPublicKey);
    }

    @Override
    public SigningKey ed25519(byte[] seed) {
        return asymmetric.ed25519(seed);
    }

    @Override
    public boolean ed25519Verify(byte[] publicKey, byte[] message, byte[] signature) {
        return asymmetric.ed25519Verify(publicKey, message, signature);
    }

    @Override
    public Aead aes256Gcm(byte[] key) {
        if (key == null || key.length != 32) {
            throw new IllegalArgumentException("AES-256 key must be 32 bytes");
        }
        return new JceGcm(new SecretKeySpec(key, "AES"));
    }

    @Override
    public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt == null || salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            for (int i = 1, at = 0; at < length; i++) {
                mac.update(t);
                mac.update(info);
                mac.update((byte) i);
                t = mac.doFinal();
                int n = Math.min(t.length, length - at);
                System.arraycopy(t, 0, out, at, n);
                at += n;
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static final class JceGcm implements Aead {
        private final SecretKeySpec key;
        private final Cipher sealer;
        private final Cipher opener;

        JceGcm(SecretKeySpec key) {
            this.key = key;
            try {
                this.sealer = Cipher.getInstance("AES/GCM/NoPadding");
                this.opener = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/GCM is part of every JDK", e);
            }
        }

        @Override
        public byte[] seal(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len) {
            try {
                sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                sealer.updateAAD(aad);
                return sealer.doFinal(plaintext, off, len);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("GCM seal failed: " + e.getMessage(), e);
            }
        }

        @Override
        public int sealInto(byte[] nonce, byte[] aad, byte[] plaintext, int off, int len, byte[] out, int outOff) {
            try {
                sealer.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                sealer.updateAAD(aad);
                return sealer.doFinal(plaintext, off, len, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("GCM seal failed: " + e.getMessage(), e);
            }
        }

        @Override
        public byte[] open(byte[] nonce, byte[] aad, byte[] ct, int off, int len) {
            if (nonce == null || nonce.length != 12 || ct == null || len < 16 || off < 0 || off + len > ct.length) {
                return null;
            }
            try {
                opener.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
                opener.updateAAD(aad);
                return opener.doFinal(ct, off, len);
            } catch (AEADBadTagException e) {
                return null;
            } catch (GeneralSecurityException | IllegalStateException e) {
                return null;
            }
        }
    }
}
