package pilot.core.stream;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import pilot.core.ErrorCode;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.wire.Packet;
import pilot.core.wire.PacketCodec;

/**
 * Two stream tables wired buffer to buffer on a virtual clock (after quinn-proto's test {@code Pair}):
 * every packet is encoded to its wire bytes and decoded on the other side, a filter may drop packets,
 * and {@link #drive} runs until nothing is in flight, stepping time to the next deadline.
 */
final class StreamPair {
    static final Address A = new Address(0, 1);
    static final Address B = new Address(0, 2);
    static final int PORT = 1000;

    /**
     * One end: its table, the wire bytes it sent and not yet delivered, and what it told its application.
     * Every accessor drains the table's output first, as an owner does after each call.
     */
    static final class Side implements Outputs.Listener {
        final StreamTable table;
        private final ArrayDeque<byte[]> wire = new ArrayDeque<>();
        private final List<Integer> opened = new ArrayList<>();
        private final List<Integer> accepted = new ArrayList<>();
        /** The remote port of each accepted stream, by stream. */
        final Map<Integer, Integer> acceptedFrom = new HashMap<>();
        private final Map<Integer, ErrorCode> closed = new HashMap<>();
        private final Map<Integer, Integer> closedCount = new HashMap<>();
        final Map<Integer, ByteArrayOutputStream> read = new HashMap<>();
        private int packetsSent;

        Side(Address self, StreamConfig cfg, int firstEphemeral) {
            this(self, cfg, StreamTable.Limits.DEFAULTS, firstEphemeral);
        }

        Side(Address self, StreamConfig cfg, StreamTable.Limits limits, int firstEphemeral) {
            table = new StreamTable(self, cfg, limits, firstEphemeral);
        }

        void drain() {
            Outputs.drain(table, this);
        }

        ArrayDeque<byte[]> wire() {
            drain();
            return wire;
        }

        List<Integer> opened() {
            drain();
            return opened;
        }

        List<Integer> accepted() {
            drain();
            return accepted;
        }

        Map<Integer, ErrorCode> closed() {
            drain();
            return closed;
        }

        Map<Integer, Integer> closedCount() {
            drain();
            return closedCount;
        }

        int packetsSent() {
            drain();
            return packetsSent;
        }

        @Override
        public void send(Packet packet) {
            packetsSent++;
            wire.add(PacketCodec.encode(packet));
        }

        @Override
        public void opened(int stream) {
            opened.add(stream);
        }

        @Override
        public void accepted(int stream, int localPort, Address remote, int remotePort) {
            accepted.add(stream);
            acceptedFrom.put(stream, remotePort);
        }

        @Override
        public void closed(int stream, ErrorCode reason) {
            closed.put(stream, reason);
            closedCount.merge(stream, 1, Integer::sum);
        }

        /** Reads everything buffered on every stream into {@link #read}. */
        void drainReads(long now) {
            for (int id : table.streamIds()) {
                Result<byte[]> r = table.read(id, Integer.MAX_VALUE, now);
                if (r.isOk() && r.value().length > 0) {
                    read.computeIfAbsent(id, k -> new ByteArrayOutputStream()).writeBytes(r.value());
                }
            }
        }

        byte[] bytesRead(int stream) {
            ByteArrayOutputStream b = read.get(stream);
            return b == null ? new byte[0] : b.toByteArray();
        }
    }

    final Side a;
    final Side b;
    long now = 1_000;
    long delivered;

    StreamPair(StreamConfig cfg) {
        a = new Side(A, cfg, 0);
        b = new Side(B, cfg, 7);
    }

    StreamPair() {
        this(StreamConfig.DEFAULTS);
    }

    /** Moves one side's wire bytes to the other, dropping what {@code drop} says; true if anything moved. */
    boolean deliver(Side from, Side to, Predicate<Packet> drop) {
        boolean moved = false;
        while (!from.wire().isEmpty()) {
            byte[] bytes = from.wire().poll();
            Packet p = PacketCodec.decode(bytes).value();
            moved = true;
            if (!drop.test(p)) {
                delivered++;
                to.table.onPacket(p, now);
            }
        }
        return moved;
    }

    /**
     * Delivers, reads and fires timers until neither side has anything to send and no deadline falls
     * before {@code untilMs}; returns the time reached.
     */
    long drive(long untilMs, Predicate<Packet> drop) {
        for (int steps = 0; steps < 1_000_000; steps++) {
            boolean moved = deliver(a, b, drop) | deliver(b, a, drop);
            a.drainReads(now);
            b.drainReads(now);
            if (moved || !a.wire().isEmpty() || !b.wire().isEmpty()) {
                continue;
            }
            long next = Math.min(a.table.nextDeadline(), b.table.nextDeadline());
            if (next > untilMs) {
                return now;
            }
            now = Math.max(now, next);
            a.table.onTimeout(now);
            b.table.onTimeout(now);
        }
        throw new AssertionError("pair did not settle");
    }

    long drive(long untilMs) {
        return drive(untilMs, p -> false);
    }
}
