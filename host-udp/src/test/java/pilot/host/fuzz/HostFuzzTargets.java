package pilot.host.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.json.Json;
import pilot.host.identity.Identity;
import pilot.host.registry.RegistryWire;
import pilot.host.relay.RelayProtocol;

/** Fuzz targets for what the host parses from outside: registry messages, identity files, relay framing. */
public final class HostFuzzTargets {
    private HostFuzzTargets() {
    }

    static final BouncyCastleSuite SUITE = new BouncyCastleSuite();

    public static void registryWire(byte[] input) {
        try {
            Map<String, Object> m = RegistryWire.read(new ByteArrayInputStream(input));
            assertTrue(m == null || m.size() >= 0);
        } catch (IOException expected) {
            // malformed framing is an IOException with a reason, never anything else
            assertTrue(expected.getMessage() != null);
        }
    }

    public static void registryRequests(FuzzedDataProvider data) throws Exception {
        var r = Json.parseObject(data.consumeRemainingAsString());
        if (r.isOk()) {
            Map<String, Object> answer = RegistryServerAccess.handle(r.value(), InetAddress.getLoopbackAddress());
            assertTrue(answer.get("type") != null, "every request gets a typed answer");
        }
    }

    public static void identityFiles(String text) {
        var r = Identity.fromJson(text, SUITE);
        assertTrue(r.isOk() || r.detail() != null);
    }

    public static void relayFraming(byte[] input) {
        int h = RelayProtocol.headerLength(input);
        assertTrue(h == -1 || (h >= 7 && h <= input.length));
    }

    /** Jazzer entry point for {@link #registryWire}. */
    public static final class RegistryWireFuzz {
        private RegistryWireFuzz() {
        }

        public static void fuzzerTestOneInput(byte[] input) {
            registryWire(input);
        }
    }

    /** Jazzer entry point for {@link #registryRequests}. */
    public static final class RegistryRequestsFuzz {
        private RegistryRequestsFuzz() {
        }

        public static void fuzzerTestOneInput(FuzzedDataProvider input) throws Exception {
            registryRequests(input);
        }
    }

    /** Jazzer entry point for {@link #identityFiles}. */
    public static final class IdentityFilesFuzz {
        private IdentityFilesFuzz() {
        }

        public static void fuzzerTestOneInput(String input) {
            identityFiles(input);
        }
    }

    /** Jazzer entry point for {@link #relayFraming}. */
    public static final class RelayFramingFuzz {
        private RelayFramingFuzz() {
        }

        public static void fuzzerTestOneInput(byte[] input) {
            relayFraming(input);
        }
    }
}
