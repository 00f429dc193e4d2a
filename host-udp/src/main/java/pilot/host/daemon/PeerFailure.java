package pilot.host.daemon;

import java.io.IOException;
import pilot.core.ErrorCode;

/**
 * A host operation the core refused or a peer failed, with the core's {@link ErrorCode}, so a caller can tell
 * "bad argument" from "refused by the peer" from "unreachable" (the CLI's exit codes 2, 1 and 3) without reading text.
 */
public final class PeerFailure extends IOException {
    private final transient ErrorCode code;

    PeerFailure(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** The core's code; null when the core gave none. */
    public ErrorCode code() {
        return code;
    }
}
