package pilot.host.registry;

import java.nio.charset.StandardCharsets;

/**
 * What a stamped {@code set_visibility} signs (our extension beyond spec I.1, docs/SPEC-NOTES.md #36):
 * {@code set_visibility:<node id>:<true|false>:<timestamp>}, ASCII, timestamp in Unix milliseconds. The
 * reference challenge {@code set_visibility:<node id>} covers neither the value nor the time, so a captured
 * request can be replayed forever, with either value. The stamped form rides beside the reference
 * signature (fields {@code timestamp}, {@code stamped_signature}), so reference registries still accept
 * the request; ours requires it from every node that registered with a signed register.
 */
public final class VisibilityChallenge {
    private VisibilityChallenge() {
    }

    public static String text(long nodeId, boolean isPublic, long timestampMillis) {
        return "set_visibility:" + nodeId + ":" + isPublic + ":" + timestampMillis;
    }

    public static byte[] bytes(long nodeId, boolean isPublic, long timestampMillis) {
        return text(nodeId, isPublic, timestampMillis).getBytes(StandardCharsets.US_ASCII);
    }
}
