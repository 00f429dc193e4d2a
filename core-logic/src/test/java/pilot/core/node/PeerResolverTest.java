package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pilot.core.addr.Endpoint;
import pilot.core.handshake.PinnedTrust;
import pilot.core.node.PeerResolver.Request;

/** The lookup → pin → resolve policy: what it asks the registry, and what it does to the node. */
class PeerResolverTest {
    private static final Endpoint EP = new Endpoint(new byte[] {127, 0, 0, 1}, 4000);

    private final List<String> done = new ArrayList<>();
    private final PinnedTrust pins = new PinnedTrust();
    /** Ids our own side needs (a session, queued traffic): what the node answers {@code vouched} with. */
    private final Set<Integer> vouched = new HashSet<>();
    private final PeerResolver r = new PeerResolver(pins, new PeerResolver.Actions() {
        @Override
        public void addPeer(int node, Endpoint endpoint, boolean rehandshake, long now) {
            done.add("add " + node + " " + endpoint.port() + (rehandshake ? " rehandshake" : ""));
        }

        @Override
        public void lookupFailed(int node, long now) {
            done.add("failed " + node);
        }

        @Override
        public void pin(int node, byte[] ed25519) {
            done.add("pin " + node + " " + ed25519[0]);
        }

        @Override
        public boolean vouched(int node) {
            return vouched.contains(node);
        }
    });

    private static byte[] key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return k;
    }

    /** The registry calls asked for, as "lookup N" / "resolve N". */
    private List<String> requests() {
        List<String> out = new ArrayList<>();
        for (Request q = r.pollRequest(); q != null; q = r.pollRequest()) {
            out.add((q.lookup() ? "lookup " : "resolve ") + q.node());
        }
        return out;
    }

    @Test
    void lookupThenResolveThenAddPeer() {
        r.peerNeeded(7, false, 0);
        assertEquals(List.of("lookup 7"), requests());
        r.lookedUp(7, key(1), 1);
        assertEquals(List.of("resolve 7"), requests());
        assertArrayEquals(key(1), r.trustedKey(7), "the node may verify the peer's PILA with the looked-up key");
        r.resolved(7, EP, 2);
        assertEquals(List.of("add 7 4000"), done);
        assertEquals(0, r.inFlight());
    }

    @Test
    void oneLookupInFlightPerId() {
        r.peerNeeded(7, false, 0);
        r.peerNeeded(7, false, 1);
        r.peerNeeded(7, true, 2); // the second ask only upgrades the first
        assertEquals(List.of("lookup 7"), requests());
        r.lookedUp(7, key(1), 3);
        r.peerNeeded(7, false, 4);
        assertEquals(List.of("resolve 7"), requests());
        r.resolved(7, EP, 5);
        assertEquals(List.of("add 7 4000 rehandshake"), done);
    }

    /** Fills every place in flight with look-ups only strangers' frames asked for; returns their requests. */
    private List<String> fillInFlight() {
        for (int i = 0; i < PeerResolver.MAX_IN_FLIGHT; i++) {
            r.peerNeeded(1000 + i, false, 0);
        }
        return requests();
    }

    @Test
    void beyondMaxInFlightALookupWaitsAndStartsWhenAnAnswerFreesAPlace() {
        assertEquals(PeerResolver.MAX_IN_FLIGHT, fillInFlight().size());
        r.peerNeeded(5, false, 0);
        r.peerNeeded(5, false, 0); // one entry per id while it waits
        r.peerNeeded(5, true, 0); // the host's own re-ask upgrades it (and vouches for it)
        r.peerNeeded(5, false, 0);
        assertEquals(List.of(), requests(), "no registry call beyond the bound");
        assertEquals(List.of(), done, "and nothing fails");
        assertEquals(1, r.waiting());
        r.failed(1000, false, 1); // one answer frees one place
        assertEquals(List.of("lookup 5"), requests());
        assertEquals(PeerResolver.MAX_IN_FLIGHT, r.inFlight());
        r.lookedUp(5, key(1), 2);
        requests();
        r.resolved(5, EP, 3);
        assertEquals(List.of("failed 1000", "add 5 4000 rehandshake"), done);
    }

    @Test
    void vouchedPeersStartBeforeStrangersAndStrangersCannotFillTheirQueue() {
        fillInFlight();
        for (int i = 0; i < PeerResolver.MAX_WAITING_UNVOUCHED; i++) {
            r.peerNeeded(2000 + i, false, 0); // strangers' frames: their whole share
        }
        for (int i = 0; i < PeerResolver.MAX_WAITING - 1; i++) {
            vouched.add(3000 + i); // a wake restored these sessions
            r.peerNeeded(3000 + i, false, 0);
        }
        assertEquals(List.of(), done, "all of them wait");
        r.peerNeeded(9999, false, 1); // one stranger more: the oldest stranger goes, the newcomer waits
        assertEquals(List.of("failed 2000"), done);
        vouched.add(2001); // our side now needs a peer a stranger asked for: it moves to the vouched queue's last place
        r.peerNeeded(2001, false, 1);
        assertEquals(PeerResolver.MAX_WAITING_UNVOUCHED - 1 + PeerResolver.MAX_WAITING, r.waiting());
        vouched.add(5000);
        r.peerNeeded(5000, false, 1); // the vouched queue is full: it fails at once
        assertEquals(List.of("failed 2000", "failed 5000"), done);

        // answer everything in flight; each place that frees goes to the oldest waiting peer, vouched ones first
        List<Integer> started = new ArrayList<>();
        ArrayDeque<Integer> outstanding = new ArrayDeque<>();
        for (int i = 0; i < PeerResolver.MAX_IN_FLIGHT; i++) {
            outstanding.add(1000 + i);
        }
        while (!outstanding.isEmpty()) {
            r.failed(outstanding.poll(), false, 2);
            for (String q : requests()) {
                int node = Integer.parseInt(q.substring("lookup ".length()));
                started.add(node);
                outstanding.add(node);
            }
            assertTrue(r.inFlight() <= PeerResolver.MAX_IN_FLIGHT);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < PeerResolver.MAX_WAITING - 1; i++) {
            expected.add(3000 + i);
        }
        expected.add(2001);
        for (int i = 2; i < PeerResolver.MAX_WAITING_UNVOUCHED; i++) {
            expected.add(2000 + i);
        }
        expected.add(9999);
        assertEquals(expected, started, "every vouched peer before any stranger, each queue oldest first");
        assertEquals(0, r.waiting());
    }

    /**
     * The node asks once per pending look-up (PeerLinks.requestLookup): an id a stranger's frame put in the strangers'
     * queue is not asked again when the application then queues traffic for it. The resolver looks again itself, so
     * that id neither waits behind the vouched ones nor goes when more strangers come.
     */
    @Test
    void aStrangersWaitingIdThatOurSideThenNeedsIsNeitherEvictedNorStartedAfterTheVouched() {
        fillInFlight();
        r.peerNeeded(2000, false, 0); // a stranger's frame names 2000
        vouched.add(3000);
        r.peerNeeded(3000, false, 0);
        vouched.add(2000); // then our application sends to 2000: the node does not ask again
        for (int i = 1; i <= PeerResolver.MAX_WAITING_UNVOUCHED + 1; i++) {
            r.peerNeeded(4000 + i, false, 1); // strangers fill their share, then push out their oldest
        }
        assertEquals(List.of("failed 4001"), done, "the oldest stranger goes, not the id our side needs");
        r.failed(1000, false, 2);
        r.failed(1001, false, 2);
        assertEquals(List.of("lookup 3000", "lookup 2000"), requests(), "both vouched ones first, oldest first");
    }

    @Test
    void anUnknownIdFailsAtOnceUntilTheNegativeCacheExpires() {
        r.peerNeeded(9, false, 0);
        requests();
        r.failed(9, true, 100);
        r.peerNeeded(9, false, 100 + PeerResolver.FAILED_MILLIS - 1);
        assertEquals(List.of(), requests(), "no registry call while the id is in the negative cache");
        assertEquals(List.of("failed 9", "failed 9"), done);
        r.peerNeeded(9, false, 100 + PeerResolver.FAILED_MILLIS);
        assertEquals(List.of("lookup 9"), requests(), "asked again once it expired");
    }

    @Test
    void aTransportErrorIsNotCachedButFailsTheLookup() {
        r.peerNeeded(9, false, 0);
        requests();
        r.failed(9, false, 1);
        assertEquals(List.of("failed 9"), done);
        r.peerNeeded(9, false, 2);
        assertEquals(List.of("lookup 9"), requests());
    }

    @Test
    void theNegativeCacheIsBounded() {
        for (int i = 0; i <= PeerResolver.MAX_FAILED; i++) {
            r.peerNeeded(i, false, 0);
            requests();
            r.failed(i, true, 0);
        }
        done.clear();
        r.peerNeeded(0, false, 1); // the oldest was forgotten: asked again
        assertEquals(List.of("lookup 0"), requests());
        r.peerNeeded(PeerResolver.MAX_FAILED, false, 1);
        assertEquals(List.of(), requests());
        assertEquals(List.of("failed " + PeerResolver.MAX_FAILED), done);
    }

    @Test
    void answersNobodyAskedForChangeNothing() {
        r.lookedUp(7, key(1), 0);
        r.resolved(7, EP, 0);
        r.failed(7, true, 0);
        r.sessionUp(7);
        r.confirm(n -> true);
        assertEquals(List.of(), done);
        assertEquals(List.of(), requests());
        assertNull(r.trustedKey(7));
        r.peerNeeded(7, false, 1); // and the unasked failure did not enter the negative cache
        assertEquals(List.of("lookup 7"), requests());
        r.resolved(7, EP, 2); // a resolve answer before the look-up answered: ignored
        assertEquals(List.of(), done);
    }

    @Test
    void aKeyOtherThanThePinnedOneFailsAndThePinnedOneWins() {
        pins.pin(7, key(1));
        r.peerNeeded(7, false, 0);
        requests();
        r.lookedUp(7, key(2), 1);
        assertEquals(List.of("failed 7"), done);
        assertEquals(List.of(), requests());
        assertArrayEquals(key(1), r.trustedKey(7));
        r.peerNeeded(7, false, 2);
        requests();
        r.lookedUp(7, key(1), 3); // the same key: resolved, nothing held
        assertEquals(0, r.heldKeys());
        r.lookedUp(8, new byte[5], 3); // malformed and unasked
        assertEquals(List.of("resolve 7"), requests());
    }

    @Test
    void aKeyIsPinnedOnlyOnceItsSessionIsConfirmed() {
        r.peerNeeded(7, false, 0);
        requests();
        r.lookedUp(7, key(3), 1);
        r.resolved(7, EP, 2);
        r.confirm(n -> true);
        assertEquals(List.of("add 7 4000"), done, "no session yet: not pinned");
        r.sessionUp(7);
        r.confirm(n -> false);
        assertEquals(List.of("add 7 4000"), done, "session up but unconfirmed: not pinned");
        r.confirm(n -> n == 7);
        assertEquals(List.of("add 7 4000", "pin 7 3"), done);
        assertEquals(0, r.heldKeys());
    }

    @Test
    void heldKeysAreBoundedAndAnEvictedOneIsNeverPinned() {
        for (int i = 0; i <= PeerResolver.MAX_HELD_KEYS; i++) {
            r.peerNeeded(i, false, 0);
            requests();
            r.lookedUp(i, key(1), 0);
            r.resolved(i, EP, 0);
            if (i == 0) {
                r.sessionUp(0);
            }
        }
        assertEquals(PeerResolver.MAX_HELD_KEYS, r.heldKeys());
        assertNull(r.trustedKey(0), "the oldest was forgotten");
        r.confirm(n -> true);
        assertEquals(0, done.stream().filter(s -> s.startsWith("pin")).count());
    }
}
