package pilot.host.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pilot.core.Result;
import pilot.core.crypto.CryptoSuite;
import pilot.host.log.LogLimiter;

/**
 * A small registry speaking the wire protocol of spec I.1 (register, lookup, resolve, heartbeat,
 * set_visibility), so tests and the demo are self-contained on loopback. This class is the IO: one
 * thread per connection, bounded by {@link ConnectionTable}; requests are answered by {@link NodeTable};
 * changes are made durable by {@link GroupCommit} into {@link RegistryStore} (an append-only log beside
 * the optional store file) before they are acknowledged. Not a production registry: no TLS.
 */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);
    /** Ids 0-3 are special addresses (spec A.1); ours start here. */
    static final int FIRST_NODE_ID = NodeTable.FIRST_NODE_ID;
    /** Registry connections served at once (see {@link RegistryLimits#maxConnections}). */
    public static final int MAX_CONNECTIONS = 256;
    /** A request frame larger than this is refused and its connection closed (answers may be up to 1 MiB). */
    public static final int MAX_REQUEST = 64 * 1024;
    /**
     * Kernel send buffer per connection: what a client that does not read can leave unsent (Linux doubles
     * it), instead of the autotuned megabytes; larger answers are simply written in more steps.
     */
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    /** How long a request waits for its change to reach the disk before it is answered with an error. */
    static final long COMMIT_TIMEOUT_MILLIS = 10_000;

    private final RegistryLimits limits;
    private final LongSupplier clock;
    private final LongSupplier liveClock;
    private final NodeTable table;
    private final GroupCommit commits;
    private final ConnectionTable<Socket> connections;
    private final LogLimiter badInput = new LogLimiter(10, 10_000);
    private final ServerSocket socket;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-conn");
        t.setDaemon(true);
        return t;
    });
    private final ThreadPoolExecutor closer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_CONNECTIONS), r -> {
                Thread t = new Thread(r, "registry-closer");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());
    private volatile boolean closed;

    public RegistryServer(InetSocketAddress bind, CryptoSuite suite, Path store) throws IOException {
        this(bind, suite, store, RegistryLimits.DEFAULTS);
    }

    public RegistryServer(InetSocketAddress bind, CryptoSuite suite, Path store, RegistryLimits limits) throws IOException {
        this(bind, suite, store, limits, System::currentTimeMillis, RegistryServer::monotonicMillis, RegistryStore.FSYNC,
                GroupCommit.COMPACT_AFTER_RECORDS);
    }

    /** Tests: one injected clock for signed timestamps and node liveness. */
    RegistryServer(InetSocketAddress bind, CryptoSuite suite, Path store, RegistryLimits limits, LongSupplier clock,
            RegistryStore.Force force, int compactAfter) throws IOException {
        this(bind, suite, store, limits, clock, clock, force, compactAfter);
    }

    /**
     * @param clock        wall-clock milliseconds (signed registers carry a timestamp)
     * @param liveClock    milliseconds for node liveness (TTLs); monotonic, so a wall-clock step ages no node
     * @param force        how the log is made durable (tests block it)
     * @param compactAfter log records before the log is folded into the snapshot
     */
    RegistryServer(InetSocketAddress bind, CryptoSuite suite, Path store, RegistryLimits limits, LongSupplier clock,
            LongSupplier liveClock, RegistryStore.Force force, int compactAfter) throws IOException {
        this.limits = limits;
        this.clock = clock;
        this.liveClock = liveClock;
        this.table = new NodeTable(suite, limits);
        this.connections = new ConnectionTable<>(limits);
        if (store != null) {
            Map<Integer, NodeRecord> stored = RegistryStore.newMap();
            RegistryStore files = RegistryStore.open(store, force, stored);
            for (int dup : table.load(stored.values(), files.nextId(), liveClock.getAsLong())) {
                LOG.warn("registry store {}: node {} has a key registered earlier under a lower id; ignored", store, dup);
            }
            if (!stored.isEmpty()) {
                files.compact(table.records()); // without the ignored duplicates
            }
            this.commits = new GroupCommit(files, table::records, compactAfter);
            table.journal(commits::submit);
        } else {
            this.commits = null;
        }
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(bind);
        Thread accept = new Thread(this::acceptLoop, "registry-accept");
        accept.setDaemon(true);
        accept.start();
        Thread reaper = new Thread(this::reapLoop, "registry-idle");
        reaper.setDaemon(true);
        reaper.start();
        LOG.info("registry listening on {}", pilot.host.log.AddressText.of(address()));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Connections open now (tests). */
    int openConnections() {
        return connections.size();
    }

    /** Connections closed to make room for newer ones (tests). */
    long evictions() {
        return connections.evictions();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                s.setSendBufferSize(SEND_BUFFER_BYTES);
                var admission = connections.admit(s, SourceKey.of(s.getInetAddress()), monotonicMillis());
                if (!admission.admitted()) {
                    s.close(); // every slot is mid-request: refuse rather than grow
                    continue;
                }
                if (admission.evicted() != null) {
                    // its thread ends on the closed socket; closing one that a thread is reading waits for that
                    // thread, so it is done off the accept thread (bounded queue; beyond, the accept thread waits)
                    Socket evicted = admission.evicted();
                    boolean midWrite = admission.evictedMidWrite();
                    closer.execute(() -> close(evicted, midWrite));
                }
                workers.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("registry accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void reapLoop() {
        long period = Math.max(10, Math.min(Math.min(1000, limits.idleTimeoutMillis() / 4), limits.writeTimeoutMillis() / 4));
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            for (var stale : connections.expired(monotonicMillis())) {
                close(stale.conn(), stale.midWrite());
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InetAddress peer = s.getInetAddress();
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                byte[] body;
                try {
                    body = RegistryWire.readBody(in, MAX_REQUEST);
                } catch (IOException broken) {
                    if (!s.isClosed()) { // not our own eviction or idle close
                        badInput.warn(LOG, System.currentTimeMillis(), "registry client {}: {}", peer.getHostAddress(), broken.getMessage());
                        connections.writing(s, monotonicMillis()); // this write too is bounded by the write timeout
                        RegistryWire.write(out, NodeTable.error(broken.getMessage()));
                    }
                    return; // the framing is lost: nothing after this can be trusted to be a frame
                }
                if (body == null || !connections.requestArrived(s, monotonicMillis())) {
                    return;
                }
                Map<String, Object> reply = answer(body, peer);
                // a client that does not read blocks this write: from here the slot is evictable and the
                // reaper closes the socket after the write timeout, which ends the write and this thread
                connections.writing(s, monotonicMillis());
                RegistryWire.write(out, reply);
                connections.answered(s, monotonicMillis());
            }
        } catch (IOException e) {
            LOG.debug("registry connection ended: {}", e.getMessage());
        } finally {
            connections.remove(s);
        }
    }

    private Map<String, Object> answer(byte[] body, InetAddress peer) {
        Result<Map<String, Object>> req = RegistryWire.parse(body);
        if (!req.isOk()) {
            badInput.warn(LOG, System.currentTimeMillis(), "registry client {} sent a message that is not a JSON object: {}", peer.getHostAddress(), req.detail());
            return NodeTable.error("not a JSON object: " + req.detail());
        }
        Map<String, Object> reply = handle(req.value(), peer);
        if ("error".equals(reply.get("type"))) {
            badInput.debug(LOG, System.currentTimeMillis(), "registry client {} refused: {}", peer.getHostAddress(), reply.get("error"));
        }
        return reply;
    }

    /** Request handling without a socket (fuzzing). */
    public Map<String, Object> handleForTest(Map<String, Object> req, InetAddress peer) {
        return handle(req, peer);
    }

    /** One request → one answer (spec I.1 table), once any change it made is durable. */
    Map<String, Object> handle(Map<String, Object> req, InetAddress peer) {
        NodeTable.Answer a;
        try {
            a = table.handle(req, peer, clock.getAsLong(), liveClock.getAsLong());
        } catch (RuntimeException e) {
            // a mistake of ours, not the client's: the client gets an answer, we get the stack trace
            LOG.error("registry request {} failed", req.get("type"), e);
            return NodeTable.error("internal error handling " + req.get("type"));
        }
        try {
            a.durable().get(COMMIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return a.reply();
        } catch (ExecutionException | TimeoutException e) {
            return NodeTable.error("the registry could not store the change; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NodeTable.error("the registry is shutting down");
        }
    }

    /** Connection ages are measured on the monotonic clock; the wall clock is only for register timestamps. */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000L;
    }

    /**
     * Closes a connection the registry gave up on. One stuck writing is reset (SO_LINGER 0): a plain close
     * would leave its unsent answers in the kernel for as long as the client keeps its window shut.
     */
    private static void close(Socket s, boolean midWrite) {
        if (midWrite) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
        }
        quietly(s);
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        for (Socket s : connections.drain()) {
            quietly(s); // blocked reads are not interruptible: closing the sockets ends their threads
        }
        workers.shutdownNow();
        closer.shutdown();
        if (commits != null) {
            commits.close();
        }
    }
}
