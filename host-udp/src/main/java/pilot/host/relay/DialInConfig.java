package pilot.host.relay;

import java.util.Base64;
import java.util.List;
import pilot.core.crypto.SigningKey;

/**
 * Whether and where a relay dials into Workers: its long-term Ed25519 key ({@code --relay-key}), the URL
 * prefixes the operator allows ({@code --dial-in-allow}; none: dial-in is refused) and the bounds.
 *
 * @param relayKey      the relay's key, or null: the relay does not dial in
 * @param allowPrefixes URLs a Worker may ask to be dialled at must start with one of these
 */
public record DialInConfig(SigningKey relayKey, List<String> allowPrefixes, RelayLimits.DialIn limits) {
    /** Dial-in refused. */
    public static final DialInConfig NONE = new DialInConfig(null, List.of(), RelayLimits.DialIn.DEFAULTS);

    public DialInConfig {
        allowPrefixes = List.copyOf(allowPrefixes);
        for (String p : allowPrefixes) {
            if (!DialInPolicy.validPrefix(p)) {
                throw new IllegalArgumentException("dial-in prefix must be http(s)://host[:port]/path…: " + p);
            }
        }
    }

    public boolean enabled() {
        return relayKey != null && !allowPrefixes.isEmpty();
    }

    /** The relay's public key in base64, or null without a key. */
    public String publicKeyBase64() {
        return relayKey == null ? null : Base64.getEncoder().encodeToString(relayKey.publicKey());
    }
}
