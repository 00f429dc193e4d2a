package pilot.core.handshake;

import pilot.core.envelope.Session;

/**
 * Where the open of one PILS frame stands when the AEAD is an effect: either finished ({@link #result}), or
 * waiting for AES-GCM under {@link #under} ({@link #fallback}: the session the last install replaced, tried
 * after the current one failed). {@link KeyExchange#openBegin} makes the first step, {@link KeyExchange#openDone}
 * the next one from the AEAD's answer. A plain final class: a record's generated methods would ship in the wasm module.
 */
public final class OpenStep {
    private final OpenResult result;
    private final Session under;
    private final boolean fallback;

    private OpenStep(OpenResult result, Session under, boolean fallback) {
        this.result = result;
        this.under = under;
        this.fallback = fallback;
    }

    static OpenStep done(OpenResult r) {
        return new OpenStep(r, null, false);
    }

    static OpenStep aead(Session under, boolean fallback) {
        return new OpenStep(null, under, fallback);
    }

    public boolean finished() {
        return result != null;
    }

    public OpenResult result() {
        return result;
    }

    public Session under() {
        return under;
    }

    public boolean fallback() {
        return fallback;
    }
}
