package pilot.host.relay;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * wss:// for the relay: an SSLContext from a PEM certificate chain and a PEM PKCS#8 private key
 * (RSA, EC or Ed25519), with plain JDK APIs.
 */
public final class RelayTls {
    /** PEM files larger than this are refused: a certificate chain and a key are a few KiB. */
    public static final int MAX_PEM_BYTES = 1 << 20;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private RelayTls() {
    }

    /** The context for {@code cert} (leaf first) and {@code key}; an IOException names what is wrong. */
    public static SSLContext context(Path certPem, Path keyPem) throws IOException {
        List<byte[]> certs = blocks(certPem, "CERTIFICATE");
        List<byte[]> keys = blocks(keyPem, "PRIVATE KEY");
        if (certs.isEmpty()) {
            throw new IOException(certPem + ": no PEM CERTIFICATE block");
        }
        if (keys.size() != 1) {
            throw new IOException(keyPem + ": expected one PEM \"PRIVATE KEY\" (PKCS#8) block, found " + keys.size()
                    + " (convert with: openssl pkcs8 -topk8 -nocrypt)");
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<Certificate> chain = new ArrayList<>();
            for (byte[] der : certs) {
                chain.add(cf.generateCertificate(new ByteArrayInputStream(der)));
            }
            PrivateKey key = privateKey(keys.get(0));
            if (!belongTogether(key, chain.get(0).getPublicKey())) {
                // else the relay would start and every TLS handshake would fail, with nothing logged
                throw new IOException("the key does not match the certificate: " + keyPem + " is not the private key of the"
                        + " first (leaf) certificate in " + certPem);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pass = new char[0];
            ks.setKeyEntry("relay", key, pass, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certPem + " / " + keyPem + ": " + e.getMessage(), e);
        }
    }

    /** A fixed message signed with {@code key} verifies with {@code pub} (RSA, EC or Ed25519; other pairs: false). */
    static boolean belongTogether(PrivateKey key, PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null) {
            return false;
        }
        byte[] message = "pilot relay: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(message);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(pub);
            verifier.update(message);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key beside an RSA certificate: initVerify refuses the public key
        }
    }

    private static PrivateKey privateKey(byte[] pkcs8) throws IOException {
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("the private key is not an RSA, EC or Ed25519 PKCS#8 key");
    }

    private static List<byte[]> blocks(Path pem, String type) throws IOException {
        if (Files.isDirectory(pem)) {
            throw new IOException(pem + ": is a directory, not a PEM file");
        }
        if (Files.size(pem) > MAX_PEM_BYTES) {
            throw new IOException(pem + ": larger than " + MAX_PEM_BYTES + " bytes");
        }
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        List<byte[]> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException(pem + ": bad base64 in a " + type + " block");
                }
            }
        }
        return out;
    }
}
