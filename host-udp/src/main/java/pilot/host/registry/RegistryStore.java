package pilot.host.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pilot.core.Result;
import pilot.core.json.Json;
import pilot.host.identity.AtomicFiles;

/**
 * The registry's files: a snapshot ({@code <store>}, JSON {@code {"nodes":[...]}}, replaced atomically)
 * and an append-only log beside it ({@code <store>.log}, one {@link NodeRecord} per line). A register is
 * acknowledged only once its line is fsynced; lines are appended in batches ({@link GroupCommit}), and
 * compaction folds the log into a new snapshot. A reclaimed node is a tombstone line in the log
 * ({@link NodeRecord#removed}); a snapshot holds no tombstones but the next unused node id
 * ({@code next_id}), so a removed node's id is never given to another key, even after a restart.
 * Only the writer thread calls {@link #append} and {@link #compact}.
 */
final class RegistryStore implements AutoCloseable {
    /** How the log reaches the disk; tests slow it down or block it to show lookups never wait for it. */
    interface Force {
        void force(FileChannel log) throws IOException;
    }

    static final Force FSYNC = ch -> ch.force(false);

    private final Path snapshot;
    private final Path logFile;
    private final Force force;
    private FileChannel log;
    private long logRecords;
    /** the highest node id ever stored (removed ones too), unsigned; ids below FIRST_NODE_ID mean none */
    private long highestId = -1;
    /** while reading: the seq of each node's tombstone, so an older line cannot bring it back */
    private final Map<Integer, Long> tombstones = new java.util.HashMap<>();

    private RegistryStore(Path snapshot, Force force) {
        this.snapshot = snapshot;
        this.logFile = snapshot.resolveSibling(snapshot.getFileName() + ".log");
        this.force = force;
    }

    /** The stored nodes, newest state of each; the log is folded into a fresh snapshot and emptied. */
    static RegistryStore open(Path snapshot, Force force, Map<Integer, NodeRecord> into) throws IOException {
        if (java.nio.file.Files.isDirectory(snapshot)) {
            throw new IOException(snapshot + ": is a directory, not a registry store file (give a file's path, e.g. "
                    + snapshot.resolve("registry.json") + ")");
        }
        RegistryStore s = new RegistryStore(snapshot, force);
        s.readSnapshot(into);
        s.readLog(into);
        s.tombstones.clear();
        s.compact(into.values());
        return s;
    }

    /** The lowest node id above every id this store has ever held (removed nodes included); 0 when empty. */
    long nextId() {
        return highestId + 1;
    }

    Path logFile() {
        return logFile;
    }

    long logRecords() {
        return logRecords;
    }

    /** Appends whole records and makes them durable before returning. */
    void append(List<NodeRecord> batch) throws IOException {
        StringBuilder sb = new StringBuilder();
        long highest = highestId;
        for (NodeRecord r : batch) {
            sb.append(Json.write(r.toJson())).append('\n');
            highest = Math.max(highest, Integer.toUnsignedLong(r.nodeId()));
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        long before = log.size();
        try {
            while (buf.hasRemaining()) {
                log.write(buf);
            }
            force.force(log);
        } catch (IOException e) {
            // e.g. a full disk: cut the half-written batch off, so the log never holds a torn line
            // followed by good ones (which would stop the next start); the batch is answered with an error
            log.truncate(before);
            log.position(before);
            throw e;
        }
        logRecords += batch.size();
        highestId = highest;
    }

    /** Writes {@code nodes} as the new snapshot, then starts an empty log. */
    void compact(Collection<NodeRecord> nodes) throws IOException {
        List<Object> list = new ArrayList<>(nodes.size());
        for (NodeRecord r : nodes) {
            list.add(r.toJson());
            highestId = Math.max(highestId, Integer.toUnsignedLong(r.nodeId()));
        }
        AtomicFiles.write(snapshot, Json.write(Map.of("nodes", list, "next_id", nextId())).getBytes(StandardCharsets.UTF_8));
        if (log != null) {
            log.close();
        }
        log = FileChannel.open(logFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        log.force(true);
        logRecords = 0;
    }

    private void readSnapshot(Map<Integer, NodeRecord> into) throws IOException {
        String text;
        try {
            text = Files.readString(snapshot, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        Result<Map<String, Object>> parsed = Json.parseObject(text);
        if (!parsed.isOk() || !(parsed.value().get("nodes") instanceof List<?> list)) {
            throw new IOException(snapshot + ": not a registry store" + (parsed.isOk() ? "" : ": " + parsed.detail()));
        }
        if (parsed.value().get("next_id") instanceof Long next && next > 0 && next <= 0x1_0000_0000L) {
            highestId = Math.max(highestId, next - 1);
        }
        for (Object o : list) {
            apply(into, NodeRecord.fromJson(o), snapshot + ": a node entry is malformed");
        }
    }

    private void readLog(Map<Integer, NodeRecord> into) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(logFile);
        } catch (NoSuchFileException e) {
            return;
        }
        int start = 0;
        int line = 1;
        for (int i = 0; i < all.length; i++) {
            if (all[i] != '\n') {
                continue;
            }
            var parsed = Json.parseObject(new String(all, start, i - start, StandardCharsets.UTF_8));
            apply(into, parsed.isOk() ? NodeRecord.fromJson(parsed.value()) : null, logFile + ": line " + line + " is malformed");
            start = i + 1;
            line++;
        }
        // bytes after the last newline are a write torn by a crash: never fsynced, so never acknowledged
    }

    private void apply(Map<Integer, NodeRecord> into, NodeRecord r, String whyNot) throws IOException {
        if (r == null) {
            throw new IOException(whyNot);
        }
        highestId = Math.max(highestId, Integer.toUnsignedLong(r.nodeId()));
        Long removedAt = tombstones.get(r.nodeId());
        if (removedAt != null && r.seq() <= removedAt) {
            return; // older than the node's removal
        }
        NodeRecord old = into.get(r.nodeId());
        if (r.removed()) {
            tombstones.put(r.nodeId(), r.seq());
            if (old != null && r.seq() >= old.seq()) {
                into.remove(r.nodeId());
            }
            return;
        }
        if (old == null || r.seq() >= old.seq()) {
            into.put(r.nodeId(), r);
        }
    }

    static Map<Integer, NodeRecord> newMap() {
        return new LinkedHashMap<>();
    }

    @Override
    public void close() throws IOException {
        if (log != null) {
            log.close();
        }
    }
}
