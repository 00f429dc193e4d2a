package pilot.core.envelope;

import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;

/**
 * One peer key state (spec D.2 step 7, E.1): the AEAD key, our random 4-byte nonce prefix, our send
 * counter and the receive window. A re-handshake creates a new Session; nothing is carried over.
 */
public final class Session {
    public static final int PREFIX_SIZE = 4;
    private final WireProfile profile;
    private final Aead aead;
    private final byte[] noncePrefix;
    private final byte[] peerX25519;
    private final ReplayWindow window = new ReplayWindow();
    private final long createdAt;
    private long sendCounter;

    private Session(WireProfile profile, Aead aead, byte[] noncePrefix, byte[] peerX25519, long createdAt) {
        this.profile = profile;
        this.aead = aead;
        this.noncePrefix = noncePrefix;
        this.peerX25519 = peerX25519;
        this.createdAt = createdAt;
    }

    /** Derives the session key from an X25519 shared secret under {@code profile}. */
    public static Session derive(WireProfile profile, CryptoSuite suite, Entropy entropy, byte[] sharedSecret,
                                 byte[] peerX25519, long now) {
        byte[] key = profile.sessionKey(suite, sharedSecret);
        Session s = new Session(profile, suite.aes256Gcm(key), entropy.bytes(PREFIX_SIZE), peerX25519.clone(), now);
        java.util.Arrays.fill(key, (byte) 0);
        return s;
    }

    /** A session from a raw key and prefix: for vectors and tests that pin both. */
    public static Session fromKey(WireProfile profile, CryptoSuite suite, byte[] key, byte[] noncePrefix,
                                  long firstCounterMinusOne) {
        if (noncePrefix.length != PREFIX_SIZE) {
            throw new IllegalArgumentException("nonce prefix must be 4 bytes");
        }
        Session s = new Session(profile, suite.aes256Gcm(key), noncePrefix.clone(), new byte[32], 0);
        s.sendCounter = firstCounterMinusOne;
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
        return ++sendCounter;
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
