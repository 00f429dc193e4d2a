package pilot.core.frame;

/** The four-byte frame magics of spec C, as big-endian ints. */
public final class Magic {
    public static final int PILT = 0x50494C54;
    public static final int PILS = 0x50494C53;
    public static final int PILK = 0x50494C4B;
    public static final int PILA = 0x50494C41;
    public static final int PILP = 0x50494C50;
    /** Fork-Y fragmentation: recognised only to refuse it with a clear reason. */
    public static final int PILF = 0x50494C46;
    public static final int SIZE = 4;
    /** A first byte below this marks a beacon message (spec C step 2). */
    public static final int BEACON_LIMIT = 0x10;

    private Magic() {
    }
}
