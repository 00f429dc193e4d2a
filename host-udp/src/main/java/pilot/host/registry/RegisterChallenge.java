package pilot.host.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a signed {@code register} signs (our extension beyond spec I.1, docs/SPEC-NOTES.md):
 * {@code register:<canonical base64 key>:<listen_addr>:<timestamp>}, ASCII, timestamp in Unix
 * milliseconds (decimal). The registry accepts a timestamp only within {@link RegistryLimits#maxRegisterSkewMillis}
 * of its clock and only above the last one it accepted for the key, so a captured register can be
 * replayed neither later nor twice.
 */
public final class RegisterChallenge {
    private RegisterChallenge() {
    }

    public static String text(byte[] publicKey, String listenAddr, long timestampMillis) {
        return "register:" + Base64.getEncoder().encodeToString(publicKey) + ":" + listenAddr + ":" + timestampMillis;
    }

    public static byte[] bytes(byte[] publicKey, String listenAddr, long timestampMillis) {
        return text(publicKey, listenAddr, timestampMillis).getBytes(StandardCharsets.US_ASCII);
    }
}
