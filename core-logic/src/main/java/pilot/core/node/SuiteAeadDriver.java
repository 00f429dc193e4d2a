package pilot.core.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import pilot.core.crypto.Aead;
import pilot.core.crypto.CryptoSuite;

/**
 * A host's side of the AEAD as an effect, with a synchronous {@link CryptoSuite}: holds the keys a node
 * installs and answers its requests. The simulation runs nodes with deferred AEAD through it (answering at
 * the next poll, in order) to prove the effect changes no byte and no event; tests take requests one by one
 * and answer them in any order ({@link #take}, {@link #answer}).
 */
public final class SuiteAeadDriver {
    private final CryptoSuite suite;
    private final HashMap<Integer, Aead> keys = new HashMap<>();
    private final boolean checksums;

    public SuiteAeadDriver(CryptoSuite suite) {
        this(suite, false);
    }

    /** {@code checksums}: also the packet checksums, for a node that called {@link PilotNode#deferChecksum}. */
    public SuiteAeadDriver(CryptoSuite suite, boolean checksums) {
        this.suite = suite;
        this.checksums = checksums;
    }

    /** Answers everything the node asks, batch by batch in request order, until it asks nothing; the number answered. */
    public int completeAll(PilotNode node, long now) {
        int answered = 0;
        for (List<CryptoRequest> batch = take(node); !batch.isEmpty(); batch = take(node)) {
            for (CryptoRequest r : batch) {
                answered += answer(node, r, now) ? 1 : 0;
            }
        }
        return answered;
    }

    /**
     * Every request queued now, in order. Key installs and drops are applied here (a host imports a key
     * before it can answer anything under it); the seals and opens are returned for {@link #answer}.
     */
    public List<CryptoRequest> take(PilotNode node) {
        List<CryptoRequest> out = new ArrayList<>();
        for (CryptoRequest r = node.pollCrypto(); r != null; r = node.pollCrypto()) {
            if (r instanceof CryptoRequest.KeyInstall k) {
                keys.put(k.keyId(), suite.aes256Gcm(k.key()));
            } else if (r instanceof CryptoRequest.KeyDrop d) {
                keys.remove(d.keyId());
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Runs one seal or open and hands the node its answer; false for a key install or drop. */
    public boolean answer(PilotNode node, CryptoRequest r, long now) {
        if (!(r instanceof CryptoRequest.Cipher c)) {
            return false;
        }
        // a request naming bytes the host keeps has zeros in their place here: this driver holds no bytes of its own,
        // so it answers it as failed (the frame never leaves, the open fails) rather than seal or open the zeros
        Aead a = c.hostRef() != 0 ? null : keys.get(c.keyId());
        byte[] in = c.data();
        boolean seal = c instanceof CryptoRequest.Seal;
        if (seal && checksums) {
            in = in.clone(); // the request's bytes are the node's: never written by the host
            pilot.core.wire.PacketCodec.fillChecksum(in);
        }
        byte[] out = a == null ? null : seal
                ? a.seal(c.nonce(), c.aad(), in, 0, in.length) : a.open(c.nonce(), c.aad(), in, 0, in.length);
        node.cryptoDone(c.id(), out, !seal && checksums && pilot.core.wire.PacketCodec.checksumMatches(out), now);
        return true;
    }

    /** Keys held now (the node's installs minus its drops). */
    public int keyCount() {
        return keys.size();
    }
}
