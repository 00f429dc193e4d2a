package pilot.core.stream;

/**
 * How the application ends a stream, chosen per call. Reference peers treat an incoming FIN as closing
 * both directions (spec G.6), so a FIN sent before their reply is complete cuts the reply short:
 * {@link #AFTER_REPLY} is the mode for "send a request, then read the whole reply".
 */
public enum CloseMode {
    /** FIN our direction after the buffered data; keep reading until the peer's FIN (our peers). */
    HALF,
    /** FIN our direction and end our reading now: data still arriving is acknowledged and dropped. */
    FULL,
    /**
     * The request is complete; keep the write side open until the reply has ended as the stream's
     * {@link ReplyPolicy} says (or the peer closed), then close as {@link #FULL}.
     */
    AFTER_REPLY
}
