package pilot.host.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import pilot.core.frame.FrameKind;
import pilot.host.relay.WorkerPolicy.Verdict;

/** What one Worker's connection may carry, without sockets: allow-list, strangers, rate, idle. */
class WorkerPolicyTest {
    static final RelayLimits LIMITS = new RelayLimits(64, 10_000, 1000, 1 << 20, 64L << 20, 10, 3)
            .withPeers(3, 2, 500, 4);

    static InetSocketAddress ep(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void onlyResolvedEndpointsAreReachable() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        assertEquals(Verdict.NOT_ALLOWED, w.outbound(ep(1), FrameKind.SEALED, 0));
        assertTrue(w.resolved(ep(1)));
        assertEquals(Verdict.FORWARD, w.outbound(ep(1), FrameKind.SEALED, 0));
        assertEquals(Verdict.NOT_A_PILOT_FRAME, w.outbound(ep(1), null, 0));
        assertEquals(Verdict.NOT_A_PILOT_FRAME, w.outbound(ep(1), FrameKind.BEACON, 0));
        assertEquals(Verdict.NOT_A_PILOT_FRAME, w.inbound(ep(1), FrameKind.ANON_KEY, 0), "PILK: no session, only amplification");
        assertEquals(Verdict.NOT_A_PILOT_FRAME, w.outbound(ep(1), FrameKind.ANON_KEY, 0));
        assertEquals(Verdict.FORWARD, w.inbound(ep(1), FrameKind.SEALED, 0));
        assertEquals(Verdict.NOT_A_PILOT_FRAME, w.inbound(ep(1), null, 0));
    }

    @Test
    void resolvedPeersAreBoundedAndNeverEvicted() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        assertTrue(w.resolved(ep(1)) && w.resolved(ep(2)) && w.resolved(ep(3)));
        assertFalse(w.resolved(ep(4)), "maxDestinations = 3 resolved peers");
        for (int port = 100; port < 200; port++) {
            w.inbound(ep(port), FrameKind.AUTH_KEY, port * 1000L); // strangers' PILAs
            w.outbound(ep(port), FrameKind.AUTH_KEY, port * 1000L); // each answered by the Worker
        }
        assertTrue(w.isAllowed(ep(1)) && w.isAllowed(ep(2)) && w.isAllowed(ep(3)), "strangers evict no resolved peer");
        assertEquals(3 + 3, w.allowedCount(), "3 resolved + at most 3 answered");
    }

    @Test
    void strangersWhoCompletedAPilaCannotLockOutPeersTheWorkerResolvesOrNewcomers() {
        // red-team finding: answered strangers filled the one shared list and nothing new got on it
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        long t = 0;
        for (int port = 100; port < 110; port++, t += 1000) { // one a second: within the strangers' rate
            assertEquals(Verdict.FORWARD, w.inbound(ep(port), FrameKind.AUTH_KEY, t));
            assertEquals(Verdict.FORWARD, w.outbound(ep(port), FrameKind.AUTH_KEY, t + 10), "the Worker's answer goes out");
        }
        assertTrue(w.resolved(ep(1)), "a peer the Worker resolves still gets on its list");
        assertEquals(Verdict.FORWARD, w.outbound(ep(1), FrameKind.SEALED, t));
        // a newcomer's PILA answered by the Worker takes the place of the answered peer idle longest
        assertEquals(Verdict.NOT_ALLOWED, w.inbound(ep(7), FrameKind.SEALED, t + 100), "not on the list yet");
        assertEquals(Verdict.FORWARD, w.inbound(ep(107), FrameKind.SEALED, t + 200), "recent traffic keeps 107");
        assertEquals(Verdict.FORWARD, w.inbound(ep(7), FrameKind.AUTH_KEY, t + 1000));
        assertEquals(Verdict.FORWARD, w.outbound(ep(7), FrameKind.AUTH_KEY, t + 1010));
        assertTrue(w.isAllowed(ep(7)) && w.isAllowed(ep(107)) && w.isAllowed(ep(1)));
        assertFalse(w.isAllowed(ep(108)), "the answered peer idle longest made room");
    }

    @Test
    void strangersReachTheWorkerWithPilaOnlyAndBecomePeersWhenItAnswers() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        assertEquals(Verdict.NOT_ALLOWED, w.inbound(ep(7), FrameKind.SEALED, 0));
        assertEquals(Verdict.NOT_ALLOWED, w.inbound(ep(7), FrameKind.PLAIN, 0));
        assertEquals(Verdict.FORWARD, w.inbound(ep(7), FrameKind.AUTH_KEY, 0));
        assertFalse(w.isAllowed(ep(7)), "a PILA in alone proves nothing");
        assertEquals(Verdict.NOT_ALLOWED, w.outbound(ep(7), FrameKind.SEALED, 10), "only a PILA answers a stranger");
        assertEquals(Verdict.FORWARD, w.outbound(ep(7), FrameKind.AUTH_KEY, 10));
        assertTrue(w.isAllowed(ep(7)), "the Worker answered: the exchange completed");
        assertEquals(Verdict.FORWARD, w.inbound(ep(7), FrameKind.SEALED, 20));
    }

    @Test
    void pendingStrangersAreBoundedAndExpire() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        assertEquals(Verdict.FORWARD, w.inbound(ep(1), FrameKind.AUTH_KEY, 0));
        assertEquals(Verdict.FORWARD, w.inbound(ep(2), FrameKind.AUTH_KEY, 0));
        assertEquals(Verdict.PENDING_FULL, w.inbound(ep(3), FrameKind.AUTH_KEY, 0), "maxPendingPeers = 2");
        assertEquals(2, w.pendingCount());
        assertEquals(Verdict.NOT_ALLOWED, w.outbound(ep(1), FrameKind.AUTH_KEY, 600), "pendingPeerMillis = 500");
        assertEquals(Verdict.FORWARD, w.inbound(ep(3), FrameKind.AUTH_KEY, 600), "expired ones made room");
        assertEquals(1, w.pendingCount());
    }

    @Test
    void strangersAreRateLimited() {
        WorkerPolicy w = new WorkerPolicy(LIMITS.withPeers(3, 100, 500, 4), 0);
        int passed = 0;
        for (int i = 0; i < 50; i++) {
            if (w.inbound(ep(1000 + i), FrameKind.AUTH_KEY, 0) == Verdict.FORWARD) {
                passed++;
            }
        }
        assertEquals(4, passed, "strangerFramesPerSecond = 4");
    }

    @Test
    void framesAreRateLimitedEachWay() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        w.resolved(ep(1));
        int out = 0;
        int in = 0;
        for (int i = 0; i < 30; i++) {
            out += w.outbound(ep(1), FrameKind.SEALED, 0) == Verdict.FORWARD ? 1 : 0;
            in += w.inbound(ep(1), FrameKind.SEALED, 0) == Verdict.FORWARD ? 1 : 0;
        }
        assertEquals(10, out, "packetsPerSecond = 10 out");
        assertEquals(10, in, "and 10 in");
        assertEquals(Verdict.FORWARD, w.outbound(ep(1), FrameKind.SEALED, 1000));
    }

    @Test
    void onlyForwardedFramesKeepTheWorkerAlive() {
        WorkerPolicy w = new WorkerPolicy(LIMITS, 0);
        w.resolved(ep(1));
        assertFalse(w.idle(1000));
        assertTrue(w.idle(1001), "idleTimeoutMillis = 1000 since login");
        w.outbound(ep(1), FrameKind.SEALED, 900);
        assertFalse(w.idle(1800));
        w.inbound(ep(9), FrameKind.AUTH_KEY, 1800); // a stranger's frame is not traffic
        w.outbound(ep(2), FrameKind.SEALED, 1850); // nor is a refused one
        assertTrue(w.idle(1901));
        w.inbound(ep(1), FrameKind.SEALED, 1901);
        assertFalse(w.idle(2000));
    }
}
