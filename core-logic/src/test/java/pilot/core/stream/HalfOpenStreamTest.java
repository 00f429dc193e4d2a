package pilot.core.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;

/**
 * Streams a peer opens and never acknowledges (our SYN|ACK unanswered) cannot hold a listening port:
 * they are bounded per peer ({@link StreamTable.Limits#maxHalfOpenPerPeer}), forgotten after
 * {@link StreamTable.Limits#halfOpenMillis}, and a peer's streams in all are bounded too
 * ({@link StreamTable.Limits#maxStreamsPerPeer}). A probe on Nov 30 filled port 7's 1,024 from one session
 * at its allowed 10 SYN/s in ~115 s and kept every honest stream out.
 */
class HalfOpenStreamTest {
    static final Address US = new Address(0, 2);
    static final Address HOSTILE = new Address(0, 1);
    static final Address HONEST = new Address(0, 3);
    static final int PORT = 7;

    /** The table with an owner that records what it hears. */
    static final class Owner implements Outputs.Listener {
        final StreamTable table;
        final List<Packet> sent = new ArrayList<>();
        final Map<Integer, Address> accepted = new HashMap<>();
        final Map<Integer, ErrorCode> closed = new HashMap<>();
        final EnumMap<ErrorCode, Integer> dropped = new EnumMap<>(ErrorCode.class);
        /** SYN|ACKs sent to each peer, never cleared. */
        final Map<Address, Integer> synAcks = new HashMap<>();

        Owner(StreamTable.Limits limits) {
            table = new StreamTable(US, StreamConfig.DEFAULTS, limits, 0);
            table.listen(PORT);
        }

        void syn(Address from, int port, long now) {
            table.onPacket(new Packet(Packet.SYN, Packet.PROTO_STREAM, from, US, port, PORT, 0, 0, 64, null), now);
            Outputs.drain(table, this);
        }

        void ack(Address from, int port, long now) {
            table.onPacket(new Packet(Packet.ACK, Packet.PROTO_STREAM, from, US, port, PORT, 1, 1, 64, null), now);
            Outputs.drain(table, this);
        }

        void advance(long now) {
            while (table.nextDeadline() <= now) {
                table.onTimeout(table.nextDeadline());
                Outputs.drain(table, this);
            }
        }

        int open(Address peer) {
            int n = 0;
            for (Map.Entry<Integer, Address> e : accepted.entrySet()) {
                n += e.getValue().equals(peer) && !closed.containsKey(e.getKey()) ? 1 : 0;
            }
            return n;
        }

        @Override
        public void send(Packet packet) {
            sent.add(packet);
            if (packet.flags() == (Packet.SYN | Packet.ACK)) {
                synAcks.merge(packet.dst(), 1, Integer::sum);
            }
        }

        @Override
        public void accepted(int stream, int localPort, Address remote, int remotePort) {
            accepted.put(stream, remote);
        }

        @Override
        public void closed(int stream, ErrorCode reason) {
            closed.put(stream, reason);
        }

        @Override
        public void dropped(ErrorCode reason) {
            dropped.merge(reason, 1, Integer::sum);
        }
    }

    @Test
    void onePeerOpeningHalfOpenStreamsAtItsAllowedRateForMinutesNeverLocksAnHonestPeerOut() {
        StreamTable.Limits limits = StreamTable.Limits.DEFAULTS;
        Owner us = new Owner(limits);
        int hostilePort = 10_000;
        int honestPort = 50_000;
        int honestSyns = 0;
        int mostHalfOpen = 0;
        for (long now = 0; now <= 300_000; now += 100) { // 10 SYN/s, the per-source rate, for five minutes
            us.advance(now);
            us.syn(HOSTILE, hostilePort++, now);
            mostHalfOpen = Math.max(mostHalfOpen, us.open(HOSTILE));
            if (now % 5_000 == 0) { // an honest dial every 5 s, answered as a dialer does
                int before = us.accepted.size();
                us.sent.clear();
                us.syn(HONEST, honestPort, now);
                assertEquals(before + 1, us.accepted.size(), "honest SYN at " + now + " ms admitted");
                assertTrue(us.sent.stream().noneMatch(p -> p.has(Packet.RST)), "no RST for the honest SYN at " + now);
                us.ack(HONEST, honestPort++, now);
                honestSyns++;
            }
        }
        assertEquals(61, honestSyns);
        assertEquals(limits.maxHalfOpenPerPeer(), mostHalfOpen, "the hostile peer held at most its half-open bound");
        assertEquals((int) (StreamConfig.DEFAULTS.idleTimeoutMillis() / 5_000), us.open(HONEST),
                "the answered honest streams outlive the half-open timeout: only the idle timeout (no data) ends them");
        long hostileAccepted = us.accepted.values().stream().filter(HOSTILE::equals).count();
        assertEquals(hostilePort - 10_000 - hostileAccepted, (long) us.dropped.get(ErrorCode.LIMIT_REACHED),
                "every SYN beyond the half-open bound is counted");
        assertTrue(hostileAccepted < 2_000, "about 32 per 5 s: " + hostileAccepted);
        assertEquals(null, us.dropped.get(ErrorCode.RATE_LIMITED), "10/s is within the per-source rate");
        assertEquals(us.table.refusedSyns(), (long) us.dropped.get(ErrorCode.LIMIT_REACHED));
        int hostileSynAcks = us.synAcks.get(HOSTILE);
        assertTrue(hostileSynAcks <= (1 + TimeoutHandler.SYN_ACK_RESENDS) * hostileAccepted,
                "at most three SYN|ACKs per admitted SYN, none for a dropped one: " + hostileSynAcks);
        assertTrue(hostileSynAcks > TimeoutHandler.SYN_ACK_RESENDS * hostileAccepted, "the unanswered ones went again");
        assertEquals(honestSyns, (int) us.synAcks.get(HONEST), "an answered stream's SYN|ACK goes once");
    }

    @Test
    void anUnansweredSynAckGoesAgainAtTheSynRtoAndItsDoubleThenTheStreamIsForgottenSilently() {
        Owner us = new Owner(StreamTable.Limits.DEFAULTS);
        us.syn(HOSTILE, 40_000, 0);
        List<Long> resentAt = new ArrayList<>();
        long forgottenAt = -1;
        for (long now = 10; now <= 10_000; now += 10) {
            int before = us.sent.size();
            us.advance(now);
            if (us.sent.size() > before) {
                resentAt.add(now);
            }
            if (forgottenAt < 0 && !us.closed.isEmpty()) {
                forgottenAt = now;
            }
        }
        assertEquals(List.of(1_000L, 3_000L), resentAt, "SYN RTO 1 s, doubling, within the 5 s half-open timeout");
        assertEquals(1 + TimeoutHandler.SYN_ACK_RESENDS, us.sent.size());
        assertTrue(us.sent.stream().allMatch(p -> p.flags() == (Packet.SYN | Packet.ACK)), "SYN|ACKs only, no RST");
        assertEquals(ErrorCode.TIMED_OUT, us.closed.values().iterator().next());
        assertEquals(5_000, forgottenAt, "forgotten at the 5 s half-open timeout, not later");
    }

    @Test
    void aHostThatWakesAfterTheHalfOpenTimeoutForgetsTheStreamWithoutOneMoreSynAck() {
        Owner us = new Owner(StreamTable.Limits.DEFAULTS);
        us.syn(HOSTILE, 40_000, 0);
        us.advance(900);
        us.table.onTimeout(5_500); // one call, as from a Worker asleep through the resend at 1 s and the 5 s timeout
        Outputs.drain(us.table, us);
        assertEquals(ErrorCode.TIMED_OUT, us.closed.values().iterator().next());
        assertEquals(1, us.sent.size(), "the first SYN|ACK only: a resend for a stream forgotten in the same call is noise");
    }

    @Test
    void withALongerHalfOpenTimeoutTheStreamIsForgottenWhenItsLastSynAckWentUnanswered() {
        StreamTable.Limits d = StreamTable.Limits.DEFAULTS;
        Owner us = new Owner(new StreamTable.Limits(d.maxStreams(), d.maxStreamsPerPort(), d.synPerSecond(),
                d.synPerSourcePerSecond(), d.maxSynSources(), d.maxStreamsPerPeer(), d.maxHalfOpenPerPeer(), 60_000));
        us.syn(HOSTILE, 40_000, 0);
        us.advance(6_999);
        assertTrue(us.closed.isEmpty());
        us.advance(7_000); // 1 s + 2 s + 4 s: the last SYN|ACK's wait, as a dialer's last SYN's
        assertEquals(ErrorCode.TIMED_OUT, us.closed.values().iterator().next());
        assertEquals(1 + TimeoutHandler.SYN_ACK_RESENDS, us.sent.size(), "still three SYN|ACKs, and no RST");
        us.advance(60_000);
        assertEquals(1 + TimeoutHandler.SYN_ACK_RESENDS, us.sent.size());
    }

    @Test
    void anUnansweredStreamIsForgottenSilentlyAndTheDialersNextSynOpensAfresh() {
        Owner us = new Owner(StreamTable.Limits.DEFAULTS);
        us.syn(HOSTILE, 40_000, 0);
        int first = us.accepted.keySet().iterator().next();
        us.syn(HOSTILE, 40_000, 1_000); // the dialer's retransmission: our SYN|ACK again, and no answer
        assertTrue(us.sent.get(1).has(Packet.SYN) && us.sent.get(1).has(Packet.ACK));
        us.advance(StreamTable.Limits.DEFAULTS.halfOpenMillis() - 1);
        assertTrue(us.closed.isEmpty(), "a repeated SYN is no answer, but the stream waits its time");
        us.advance(StreamTable.Limits.DEFAULTS.halfOpenMillis());
        assertEquals(ErrorCode.TIMED_OUT, us.closed.get(first));
        assertEquals(2 + TimeoutHandler.SYN_ACK_RESENDS, us.sent.size(), "one for the SYN, one for its retransmission");
        assertTrue(us.sent.stream().allMatch(p -> p.flags() == (Packet.SYN | Packet.ACK)),
                "forgotten without an RST (a dialer in SYN_SENT would take it as a refusal)");

        us.syn(HOSTILE, 40_000, 7_000);
        assertEquals(2, us.accepted.size(), "the next SYN of the same tuple opens a new stream");
        us.ack(HOSTILE, 40_000, 7_010);
        us.advance(7_000 + 100_000);
        assertEquals(1, us.closed.size(), "answered: only the idle timeout (120 s) ends it now");
    }

    @Test
    void onePeerCannotTakeAPortsStreamsEvenWhenItAnswersThem() {
        StreamTable.Limits limits = StreamTable.Limits.DEFAULTS;
        Owner us = new Owner(limits);
        int port = 10_000;
        for (long now = 0; now < 200_000; now += 100) {
            us.syn(HOSTILE, port, now);
            us.ack(HOSTILE, port++, now); // completes each stream: it is no longer half-open
            us.advance(now);
        }
        assertEquals(limits.maxStreamsPerPeer(), us.open(HOSTILE), "at most its streams per peer");
        assertTrue(us.sent.stream().anyMatch(p -> p.has(Packet.RST)), "beyond it: RST (spec G.3 listener step 4)");
        us.sent.clear();
        us.syn(HONEST, 50_000, 200_000);
        assertTrue(us.accepted.containsValue(HONEST), "an honest peer still gets in");
        assertTrue(us.dropped.get(ErrorCode.LIMIT_REACHED) > 1_000, "counted: " + us.dropped);
    }
}
