package pilot.host.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pilot.core.addr.Address;
import pilot.core.crypto.CryptoSuite;
import pilot.core.json.Json;
import pilot.host.identity.AtomicFiles;

/**
 * A small registry speaking the wire protocol of spec I.1 (register, lookup, resolve, heartbeat,
 * set_visibility), so tests and the demo are self-contained on loopback. Node ids persist in an
 * optional store file (atomic writes). Not a production registry: no TLS, no rate limits on
 * registration, and (like the reference) {@code register} itself is unsigned; signed requests are
 * verified against the key on file.
 */
public final class RegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryServer.class);
    /** Ids 0-3 are special addresses (spec A.1); ours start here. */
    static final int FIRST_NODE_ID = 16;
    /** Registry connections served at once; more are closed at accept (bounded, never queued). */
    public static final int MAX_CONNECTIONS = 256;

    private final CryptoSuite suite;
    private final Path store;
    private final ServerSocket socket;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-conn");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Map<Integer, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> byKey = new LinkedHashMap<>();
    private int nextId = FIRST_NODE_ID;
    private volatile boolean closed;

    private static final class Node {
        final int id;
        final String publicKey;
        String realAddr;
        String hostname;
        boolean isPublic;

        Node(int id, String publicKey) {
            this.id = id;
            this.publicKey = publicKey;
        }
    }

    public RegistryServer(InetSocketAddress bind, CryptoSuite suite, Path store) throws IOException {
        this.suite = suite;
        this.store = store;
        load();
        this.socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(bind);
        Thread accept = new Thread(this::acceptLoop, "registry-accept");
        accept.setDaemon(true);
        accept.start();
        LOG.info("registry listening on {}", address());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                if (!slots.tryAcquire()) {
                    s.close(); // bounded: refuse rather than grow
                    continue;
                }
                workers.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("registry accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InetAddress peer = s.getInetAddress();
            while (!closed) {
                Map<String, Object> req = RegistryWire.read(s.getInputStream());
                if (req == null) {
                    return;
                }
                RegistryWire.write(s.getOutputStream(), handle(req, peer));
            }
        } catch (IOException e) {
            LOG.debug("registry connection ended: {}", e.getMessage());
        } finally {
            slots.release();
        }
    }

    /** Request handling without a socket (fuzzing). */
    public Map<String, Object> handleForTest(Map<String, Object> req, InetAddress peer) {
        return handle(req, peer);
    }

    /** One request → one response (spec I.1 table). */
    synchronized Map<String, Object> handle(Map<String, Object> req, InetAddress peer) {
        Object type = req.get("type");
        try {
            if ("register".equals(type)) {
                return register(req, peer);
            }
            if ("lookup".equals(type)) {
                return lookup(req);
            }
            if ("resolve".equals(type)) {
                return resolve(req);
            }
            if ("heartbeat".equals(type)) {
                Node n = signed(req, "heartbeat:" + nodeId(req));
                return ok("heartbeat_ok", n);
            }
            if ("set_visibility".equals(type)) {
                Node n = signed(req, "set_visibility:" + nodeId(req));
                n.isPublic = Boolean.TRUE.equals(req.get("public"));
                save();
                return ok("set_visibility_ok", n);
            }
            return error("unknown request type: " + type);
        } catch (Refused e) {
            return error(e.getMessage());
        } catch (ClassCastException | NullPointerException e) {
            return error("malformed " + type + " request");
        }
    }

    private Map<String, Object> register(Map<String, Object> req, InetAddress peer) throws Refused {
        String key = (String) req.get("public_key");
        byte[] raw = decodeKey(key);
        String listen = (String) req.get("listen_addr");
        int colon = listen == null ? -1 : listen.lastIndexOf(':');
        if (colon < 0) {
            throw new Refused("listen_addr must be host:port");
        }
        int port = Integer.parseInt(listen.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new Refused("listen_addr port out of range");
        }
        Integer id = byKey.get(key);
        Node n = id == null ? null : nodes.get(id);
        if (n == null) {
            n = new Node(nextId++, Base64.getEncoder().encodeToString(raw));
            nodes.put(n.id, n);
            byKey.put(key, n.id);
        }
        // the registry stores the address it sees the TCP connection come from, with the announced port
        n.realAddr = peer.getHostAddress() + ":" + port;
        n.hostname = req.get("hostname") instanceof String h ? h : n.hostname;
        save();
        Map<String, Object> m = ok("register_ok", n);
        m.put("network_id", 0L);
        m.put("address", new Address(0, n.id).toString());
        m.put("public_key", n.publicKey);
        LOG.info("registered node {} at {}", new Address(0, n.id), n.realAddr);
        return m;
    }

    private Map<String, Object> lookup(Map<String, Object> req) throws Refused {
        Node n = node(nodeId(req));
        Map<String, Object> m = ok("lookup_ok", n);
        m.put("address", new Address(0, n.id).toString());
        m.put("networks", List.of(0L));
        m.put("public_key", n.publicKey);
        m.put("public", n.isPublic);
        m.put("polo_score", 0L);
        if (n.hostname != null) {
            m.put("hostname", n.hostname);
        }
        if (n.isPublic) {
            m.put("real_addr", n.realAddr);
        }
        return m;
    }

    private Map<String, Object> resolve(Map<String, Object> req) throws Refused {
        long requester = ((Long) req.get("requester_id"));
        long target = nodeId(req);
        signedBy(req, (int) requester, "resolve:" + requester + ":" + target);
        Node n = node(target);
        if (!n.isPublic) {
            throw new Refused("node " + target + " is private");
        }
        Map<String, Object> m = ok("resolve_ok", n);
        m.put("real_addr", n.realAddr);
        return m;
    }

    private Node signed(Map<String, Object> req, String challenge) throws Refused {
        return signedBy(req, (int) nodeId(req), challenge);
    }

    private Node signedBy(Map<String, Object> req, int signer, String challenge) throws Refused {
        Node n = node(Integer.toUnsignedLong(signer));
        String sig = (String) req.get("signature");
        byte[] raw;
        try {
            raw = sig == null ? null : Base64.getDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            raw = null;
        }
        if (raw == null || !suite.ed25519Verify(Base64.getDecoder().decode(n.publicKey),
                challenge.getBytes(StandardCharsets.US_ASCII), raw)) {
            throw new Refused("signature required: Ed25519 over \"" + challenge + "\" by node " + signer);
        }
        return n;
    }

    private static long nodeId(Map<String, Object> req) throws Refused {
        Object v = req.get("node_id");
        if (!(v instanceof Long id) || id < 0 || id > 0xFFFFFFFFL) {
            throw new Refused("node_id missing or out of range");
        }
        return id;
    }

    private Node node(long id) throws Refused {
        Node n = nodes.get((int) id);
        if (n == null) {
            throw new Refused("unknown node " + id);
        }
        return n;
    }

    private static byte[] decodeKey(String key) throws Refused {
        try {
            byte[] raw = key == null ? null : Base64.getDecoder().decode(key);
            if (raw == null || raw.length != 32) {
                throw new Refused("public_key must be base64 of a 32-byte Ed25519 key");
            }
            return raw;
        } catch (IllegalArgumentException e) {
            throw new Refused("public_key is not base64");
        }
    }

    private static Map<String, Object> ok(String type, Node n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("node_id", Integer.toUnsignedLong(n.id));
        return m;
    }

    private static Map<String, Object> error(String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "error");
        m.put("error", why);
        return m;
    }

    private static final class Refused extends Exception {
        Refused(String m) {
            super(m, null, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    private void load() throws IOException {
        if (store == null || !Files.exists(store)) {
            return;
        }
        var parsed = Json.parseObject(Files.readString(store, StandardCharsets.UTF_8));
        if (!parsed.isOk()) {
            throw new IOException(store + ": " + parsed.detail());
        }
        for (Object o : (List<Object>) parsed.value().get("nodes")) {
            Map<String, Object> m = (Map<String, Object>) o;
            Node n = new Node((int) (long) (Long) m.get("node_id"), (String) m.get("public_key"));
            n.realAddr = (String) m.get("real_addr");
            n.isPublic = Boolean.TRUE.equals(m.get("public"));
            n.hostname = (String) m.get("hostname");
            nodes.put(n.id, n);
            byKey.put(n.publicKey, n.id);
            nextId = Math.max(nextId, n.id + 1);
        }
    }

    private void save() {
        if (store == null) {
            return;
        }
        List<Object> list = new ArrayList<>();
        for (Node n : nodes.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node_id", Integer.toUnsignedLong(n.id));
            m.put("public_key", n.publicKey);
            m.put("real_addr", n.realAddr);
            m.put("public", n.isPublic);
            m.put("hostname", n.hostname);
            list.add(m);
        }
        try {
            AtomicFiles.write(store, Json.write(Map.of("nodes", list)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.error("cannot save the registry store {}: {}", store, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        workers.shutdownNow();
    }
}
