package pilot.host.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread makes registry changes durable: it takes every record queued since its last fsync,
 * appends them with one write and one fsync, then completes their futures (the register_ok waits for
 * its own). Nobody holds the node table's lock while this runs, so lookups never wait for the disk.
 * The queue holds at most two records per connection being served (a connection waits for its commit
 * before reading its next request; a register into a full table also journals the reclaimed node's
 * tombstone), so it is bounded by twice {@link RegistryLimits#maxConnections}.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** The log is folded into a new snapshot after this many records (bounds the log at ~2 MB). */
    static final int COMPACT_AFTER_RECORDS = 10_000;

    private record Pending(NodeRecord record, CompletableFuture<Void> done) {
    }

    private static final Pending STOP = new Pending(null, null);

    private final RegistryStore store;
    private final Supplier<Collection<NodeRecord>> snapshot;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final int compactAfter;

    /** @param snapshot a consistent copy of every node, taken under the node table's lock */
    GroupCommit(RegistryStore store, Supplier<Collection<NodeRecord>> snapshot, int compactAfter) {
        this.store = store;
        this.compactAfter = compactAfter;
        this.snapshot = snapshot;
        this.writer = new Thread(this::run, "registry-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a record; the future completes once it is on disk (or fails if it cannot be written). */
    CompletableFuture<Void> submit(NodeRecord r) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        queue.add(new Pending(r, f));
        return f;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch);
            boolean stop = batch.remove(STOP);
            List<NodeRecord> records = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                records.add(p.record());
            }
            try {
                if (!records.isEmpty()) {
                    store.append(records);
                }
                for (Pending p : batch) {
                    p.done().complete(null);
                }
                if (store.logRecords() >= compactAfter) {
                    store.compact(snapshot.get());
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("registry store {} cannot be written: {}", store.logFile(), e.toString());
                for (Pending p : batch) {
                    p.done().completeExceptionally(e);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() throws IOException {
        queue.add(STOP);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
