package pilot.core.handshake;

import pilot.core.envelope.Session;

/**
 * Where the open of one PILS frame stands when the AEAD is an effect: either finished ({@code result}), or
 * waiting for AES-GCM under {@code under} ({@code fallback}: the session the last install replaced, tried
 * after the current one failed). {@link KeyExchange#openBegin} makes the first step, {@link KeyExchange#openDone}
 * the next one from the AEAD's answer.
 */
public record OpenStep(OpenResult result, Session under, boolean fallback) {
    static OpenStep done(OpenResult r) {
        return new OpenStep(r, null, false);
    }

    static OpenStep aead(Session under, boolean fallback) {
        return new OpenStep(null, under, fallback);
    }

    public boolean finished() {
        return result != null;
    }
}
