package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test certificates made by the JDK's keytool (alias {@code relay}, password {@code changeit}), and PEM text. */
public final class SelfSigned {
    private SelfSigned() {
    }

    /** A self-signed certificate for CN=127.0.0.1 with a new key; {@code keyArgs}: e.g. -keyalg EC -groupname secp256r1. */
    public static KeyStore keyStore(Path p12, String... keyArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "relay", "-validity", "2", "-dname", "CN=127.0.0.1", "-storetype", "PKCS12",
                "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        cmd.addAll(List.of(keyArgs));
        Process keytool = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
