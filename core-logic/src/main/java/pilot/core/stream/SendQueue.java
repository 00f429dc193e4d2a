package pilot.core.stream;

import java.util.ArrayList;
import java.util.List;

/**
 * Our side of the byte stream: bytes the application wrote but we have not sent, and the segments sent
 * but not yet cumulatively acknowledged, each marked SACKed or lost. Keeps the in-flight count (bytes of
 * segments neither SACKed nor lost) that the congestion window is compared with.
 */
final class SendQueue {
    /** One sent segment, or the FIN placeholder (which takes one sequence number, spec G.6). */
    static final class Segment {
        final int seq;
        final byte[] data;   // empty for the FIN placeholder
        final boolean fin;
        long sentAt;
        int attempts;
        boolean sacked;
        boolean lost;
        int episode = -1;    // recovery episode of the last retransmission

        Segment(int seq, byte[] data, boolean fin) {
            this.seq = seq;
            this.data = data;
            this.fin = fin;
        }

        int length() {
            return fin ? 1 : data.length;
        }

        int end() {
            return seq + length();
        }

        void markSent(long now) {
            sentAt = now;
            attempts++;
        }
    }

    private final ByteQueue unsent = new ByteQueue();
    private final List<Segment> retx = new ArrayList<>();
    private int sendNext;
    private int inFlight;
    private int retxBytes;   // all data bytes held in retx (for the send-buffer bound)
    private boolean finQueued;
    private boolean finAcked;
    private int lastAckedBytes;

    SendQueue(int firstSeq) {
        this.sendNext = firstSeq;
    }

    int sendNext() {
        return sendNext;
    }

    /** Oldest unacknowledged sequence number. */
    int una() {
        return retx.isEmpty() ? sendNext : retx.get(0).seq;
    }

    boolean hasUnacked() {
        return !retx.isEmpty();
    }

    boolean hasUnsent() {
        return !unsent.isEmpty();
    }

    int inFlight() {
        return inFlight;
    }

    /** Bytes held for sending or retransmission (the send-buffer bound). */
    int bufferedBytes() {
        return unsent.size() + retxBytes;
    }

    boolean finQueued() {
        return finQueued;
    }

    boolean finAcked() {
        return finAcked;
    }

    Segment first() {
        return retx.isEmpty() ? null : retx.get(0);
    }

    void buffer(byte[] data, int off, int n) {
        unsent.write(data, off, n);
    }

    /** The first segment marked lost, now back in flight, or null when none is lost or the window is full. */
    Segment pollLost(int window, int episode) {
        if (inFlight >= window) {
            return null;
        }
        for (Segment s : retx) {
            if (s.lost) {
                s.lost = false;
                s.episode = episode;
                inFlight += s.length();
                return s;
            }
        }
        return null;
    }

    /** A new segment of up to {@code mss} unsent bytes, or null when the window is full. */
    Segment pollNew(int mss, int window) {
        int n = Math.min(mss, unsent.size());
        if (inFlight > 0 && inFlight + n > window) {
            return null;
        }
        if (n >= 5 && Sack.startsLikeSack(unsent.peek(0, 5), 0, n)) {
            n = 1; // never let a data segment parse as SACK (spec G.4 ambiguity): send its first byte alone
        }
        Segment s = new Segment(sendNext, unsent.read(n), false);
        sendNext += n;
        retx.add(s);
        retxBytes += n;
        inFlight += n;
        return s;
    }

    /** Queues our FIN after all data; it consumes one sequence number (spec G.6). */
    Segment queueFin() {
        finQueued = true;
        Segment f = new Segment(sendNext, new byte[0], true);
        sendNext += 1;
        retx.add(f);
        inFlight += 1;
        return f;
    }

    /**
     * Removes every segment {@code ack} covers (their byte count is then {@link #lastAckedBytes}); the
     * reference clears SACK marks on every new cumulative ACK. Returns an RTT sample in ms, or -1 when no
     * removed segment was sent once and not SACKed (Karn's rule). A plain long, not a record: records
     * pull generated methods into the wasm module.
     */
    long acknowledge(int ack, long now) {
        int acked = 0;
        long sample = -1;
        while (!retx.isEmpty() && Seq.atOrAfter(ack, retx.get(0).end())) {
            Segment s = retx.remove(0);
            acked += s.length();
            retxBytes -= s.data.length;
            if (s.attempts == 1 && !s.sacked) {
                sample = now - s.sentAt;
            }
            if (s.fin) {
                finAcked = true;
            }
        }
        for (Segment s : retx) {
            s.sacked = false;
        }
        recountInFlight();
        lastAckedBytes = acked;
        return sample;
    }

    /** Bytes the last {@link #acknowledge} removed. */
    int lastAckedBytes() {
        return lastAckedBytes;
    }

    /** Marks segments wholly inside the SACK blocks ({@code left, right} pairs). */
    void markSacked(int[] blocks) {
        for (int b = 0; b + 1 < blocks.length; b += 2) {
            int left = blocks[b];
            int right = blocks[b + 1];
            for (Segment s : retx) {
                if (!s.sacked && Seq.atOrAfter(s.seq, left) && Seq.atOrAfter(right, s.end())) {
                    s.sacked = true;
                }
            }
        }
        recountInFlight();
    }

    void markLost(Segment s) {
        s.lost = true;
        recountInFlight();
    }

    /** RFC 6675-style: an unSACKed segment with at least {@code threshold} bytes SACKed above it is lost. */
    void markLostBySack(int threshold, int episode) {
        int above = 0;
        for (int i = retx.size() - 1; i >= 0; i--) {
            Segment s = retx.get(i);
            if (s.sacked) {
                above += s.length();
            } else if (above >= threshold && !s.lost && s.episode != episode) {
                markLost(s);
            }
        }
    }

    /** After a retransmission timeout every unSACKed segment is lost, and so is the first even if SACKed. */
    void markLostAfterTimeout() {
        for (Segment s : retx) {
            if (!s.sacked) {
                s.lost = true;
            }
        }
        Segment first = retx.get(0);
        if (first.sacked) {
            first.sacked = false;
            first.lost = true; // the receiver may have dropped it after all
        }
        recountInFlight();
    }

    Segment firstUnsacked() {
        for (Segment s : retx) {
            if (!s.sacked) {
                return s;
            }
        }
        return null;
    }

    void clear() {
        retx.clear();
        unsent.clear();
        retxBytes = 0;
        inFlight = 0;
    }

    private void recountInFlight() {
        int n = 0;
        for (Segment s : retx) {
            if (!s.sacked && !s.lost) {
                n += s.length();
            }
        }
        inFlight = n;
    }
}
