package pilot.core.envelope;

import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;

/**
 * One peer key state (spec D.2 step 7, E.1): the AEAD key, our random 4-byte nonce prefix, our send
 * counter and the receive window. A re-handshake creates a new Session; nothing is carried over.
 *
 * <p>Send counters are reserved in blocks of {@link #COUNTER_BLOCK} so a session restored from a snapshot
 * never repeats a nonce: a snapshot stores {@link #reservedUpTo()}, a restored session continues above it,
 * and sealing beyond the reservation raises it by a block and reports that the snapshot must be persisted
 * before that frame leaves ({@link #takeReservationRaised()}).
 */
public final class Session {
    public static final int PREFIX_SIZE = 4;
    public static final int KEY_SIZE = 32;
    /** Send counters reserved at a time: one persisted snapshot per 65,536 frames sealed under a session. */
    public static final long COUNTER_BLOCK = 65_536;
    private final WireProfile profile;
    private final Aead aead;
    /** The raw AES-256 key, kept only so a snapshot can carry it; never logged, not in any toString. */
    private final byte[] key;
    private final byte[] noncePrefix;
    private final byte[] peerX25519;
    private final ReplayWindow window = new ReplayWindow();
    private final long createdAt;
    private long sendCounter;
    /** Counters up to here may be used without persisting a snapshot first. */
    private long reservedUpTo = COUNTER_BLOCK;
    private boolean reservationRaised;
    /** The id a host running the AEAD as an effect knows this session's key by; 0 while it holds none. */
    private int hostKey;

    private Session(WireProfile profile, Aead aead, byte[] key, byte[] noncePrefix, byte[] peerX25519, long createdAt) {
        this.profile = profile;
        this.aead = aead;
        this.key = key;
        this.noncePrefix = noncePrefix;
        this.peerX25519 = peerX25519;
        this.createdAt = createdAt;
    }

    /** Derives the session key from an X25519 shared secret under {@code profile}. */
    public static Session derive(WireProfile profile, CryptoSuite suite, Entropy entropy, byte[] sharedSecret,
                                 byte[] peerX25519, long now) {
        byte[] key = profile.sessionKey(suite, sharedSecret);
        return new Session(profile, suite.aes256Gcm(key), key, entropy.bytes(PREFIX_SIZE), peerX25519.clone(), now);
    }

    /** A session from a raw key and prefix: for vectors and tests that pin both. */
    public static Session fromKey(WireProfile profile, CryptoSuite suite, byte[] key, byte[] noncePrefix,
                                  long firstCounterMinusOne) {
        if (noncePrefix.length != PREFIX_SIZE) {
            throw new IllegalArgumentException("nonce prefix must be 4 bytes");
        }
        Session s = new Session(profile, suite.aes256Gcm(key), key.clone(), noncePrefix.clone(), new byte[32], 0);
        s.sendCounter = firstCounterMinusOne;
        s.reservedUpTo = firstCounterMinusOne + COUNTER_BLOCK;
        return s;
    }

    /**
     * A session from a snapshot: sealing continues above {@code reservedUpTo} (no counter a lost instance
     * may have used repeats) and nothing at or below {@code receiveHighWater} is accepted again.
     */
    public static Session restore(WireProfile profile, CryptoSuite suite, byte[] key, byte[] noncePrefix,
                                  byte[] peerX25519, long createdAt, long reservedUpTo, long receiveHighWater) {
        Session s = new Session(profile, suite.aes256Gcm(key), key.clone(), noncePrefix.clone(), peerX25519.clone(), createdAt);
        s.sendCounter = reservedUpTo;
        s.reservedUpTo = reservedUpTo;
        s.window.refuseUpTo(receiveHighWater);
        return s;
    }

    public WireProfile profile() {
        return profile;
    }

    Aead aead() {
        return aead;
    }

    byte[] noncePrefix() {
        return noncePrefix;
    }

    ReplayWindow window() {
        return window;
    }

    /** Increments and returns the send counter: the first frame uses 1 (spec E.1). */
    long nextCounter() {
        long c = ++sendCounter;
        if (Long.compareUnsigned(c, reservedUpTo) > 0) {
            reservedUpTo += COUNTER_BLOCK;
            reservationRaised = true;
        }
        return c;
    }

    /** Counters up to here are covered by the last reservation (what a snapshot stores). */
    public long reservedUpTo() {
        return reservedUpTo;
    }

    /** Whether sealing raised the reservation since the last call (the snapshot must be persisted first). */
    public boolean takeReservationRaised() {
        boolean r = reservationRaised;
        reservationRaised = false;
        return r;
    }

    /**
     * The id under which the host of a node with deferred AEAD holds this session's key (0: it holds none).
     * Kept here so the node finds it without hashing the session (no identity hash code in the wasm module).
     */
    public int hostKey() {
        return hostKey;
    }

    public void hostKey(int id) {
        hostKey = id;
    }

    /** A copy of the raw session key, for a snapshot only. */
    public byte[] keyBytes() {
        return key.clone();
    }

    /** A copy of our nonce prefix, for a snapshot only. */
    public byte[] noncePrefixBytes() {
        return noncePrefix.clone();
    }

    /** The last counter used to seal (0 before the first frame). */
    public long sendCounter() {
        return sendCounter;
    }

    /** Highest counter accepted from the peer. */
    public long receiveMax() {
        return window.max();
    }

    /** A copy of the peer's X25519 public key this session was derived with. */
    public byte[] peerX25519() {
        return peerX25519.clone();
    }

    public boolean peerX25519Equals(byte[] x25519) {
        return java.util.Arrays.equals(peerX25519, x25519);
    }

    public long createdAt() {
        return createdAt;
    }
}
