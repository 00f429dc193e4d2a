package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
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
        Path p12 = dir.resolve("relay.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate("relay");
        Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", ks.getKey("relay", "changeit".toCharArray()).getEncoded()));
        return ks;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
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
            Path p12 = dir.resolve(alg[0] + ".p12");
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "relay",
                    "-keyalg", alg[0], "-validity", "2", "-dname", "CN=127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", p12.toString(), "-storepass", "changeit"));
            cmd.addAll(java.util.Arrays.asList(alg).subList(1, alg.length));
            Process keytool = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(keytool.getInputStream().readAllBytes());
            assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, "changeit".toCharArray());
            }
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
