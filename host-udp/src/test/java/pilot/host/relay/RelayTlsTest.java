package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.host.crypto.SecureEntropy;
import pilot.host.daemon.HostConfig;
import pilot.host.daemon.HostDaemon;
import pilot.host.registry.RegistryClient;
import pilot.host.registry.RegistryServer;

/** wss://: the relay with a PEM certificate and PKCS#8 key made here by keytool, a Worker over TLS on loopback. */
class RelayTlsTest {
    @TempDir
    Path dir;

    /** A self-signed EC certificate for 127.0.0.1, written as cert.pem and key.pem; returns the keystore. */
    KeyStore selfSigned() throws Exception {
        KeyStore ks = SelfSigned.keyStore(dir.resolve("relay.p12"), "-keyalg", "EC", "-groupname", "secp256r1",
                "-ext", "SAN=ip:127.0.0.1");
        Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", ks.getCertificate("relay").getEncoded()));
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", ks.getKey("relay", "changeit".toCharArray()).getEncoded()));
        return ks;
    }

    static String pem(String type, byte[] der) {
        return SelfSigned.pem(type, der);
    }

    @Test
    void aWorkerLogsInAndReachesAHostOverWss() throws Exception {
        KeyStore ks = selfSigned();
        SSLContext server = RelayTls.context(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relay", ks.getCertificate("relay"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);

        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null)) {
            RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), InetAddress.getLoopbackAddress(),
                    new RegistryClient(registry.address(), 2000), new BouncyCastleSuite(), new SecureEntropy(),
                    RelayLimits.DEFAULTS, Set.of(), server);
            relay.start();
            assertTrue(relay.awaitStarted(5000));
            try (HostDaemon host = HostDaemon.start(HostConfig.loopback(dir.resolve("host.json"), registry.address()));
                 JavaWorker w = new JavaWorker(new URI("wss://127.0.0.1:" + relay.getPort() + RelayProtocol.PATH), 1, client)) {
                assertEquals("auth_ok", w.login().get("type"));
                w.join();
                assertEquals(256 * 1024, new HonestTraffic(w, host, 256 * 1024, 30_000).start().done.get(40, TimeUnit.SECONDS));
            } finally {
                relay.shutdown();
            }
        }
    }

    @Test
    void aKeyThatIsNotPkcs8IsRefusedWithAReason() throws Exception {
        selfSigned();
        Files.writeString(dir.resolve("rsa.pem"), pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
        IOException e = assertThrows(IOException.class, () -> RelayTls.context(dir.resolve("cert.pem"), dir.resolve("rsa.pem")));
        assertTrue(e.getMessage().contains("PKCS#8"), e.getMessage());
        assertThrows(IOException.class, () -> RelayTls.context(dir.resolve("key.pem"), dir.resolve("key.pem")));
    }

    @Test
    void aKeyThatIsNotTheLeafCertificatesIsRefusedForRsaEcAndEd25519() throws Exception {
        String[][] algs = {{"RSA", "-keysize", "2048"}, {"EC", "-groupname", "secp256r1"}, {"Ed25519"}};
        for (String[] alg : algs) {
            KeyStore ks = SelfSigned.keyStore(dir.resolve(alg[0] + ".p12"),
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("-keyalg", alg[0]),
                            java.util.Arrays.stream(alg).skip(1)).toArray(String[]::new));
            Path cert = dir.resolve(alg[0] + "-cert.pem");
            Path key = dir.resolve(alg[0] + "-key.pem");
            Path other = dir.resolve(alg[0] + "-other.pem");
            Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("relay").getEncoded()));
            Files.writeString(key, pem("PRIVATE KEY", ks.getKey("relay", "changeit".toCharArray()).getEncoded()));
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance(alg[0]);
            if (alg[0].equals("RSA")) {
                g.initialize(2048);
            }
            Files.writeString(other, pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));

            RelayTls.context(cert, key); // its own key: accepted
            IOException e = assertThrows(IOException.class, () -> RelayTls.context(cert, other), alg[0]);
            assertEquals("the key does not match the certificate: " + other + " is not the private key of the first (leaf)"
                    + " certificate in " + cert, e.getMessage());
        }
        // a key of another algorithm than the certificate's
        IOException e = assertThrows(IOException.class,
                () -> RelayTls.context(dir.resolve("RSA-cert.pem"), dir.resolve("Ed25519-key.pem")));
        assertTrue(e.getMessage().startsWith("the key does not match the certificate"), e.getMessage());
    }
}
