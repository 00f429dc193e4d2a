package pilot.host.registry;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import pilot.core.addr.Address;
import pilot.core.crypto.CryptoSuite;
import pilot.core.edge.HostPort;
import pilot.core.edge.SignedTexts;
import pilot.core.limit.RateLimiter;

/**
 * The registry's requests (spec I.1 table) against its node table, without sockets or files: time is
 * an argument, and a change is handed to {@code journal} under the table's lock (so the log's order is
 * the table's order) and answered only once the returned future completes — outside the lock.
 *
 * <p>What is authenticated: a first {@code register} of a key is open (as in the reference); moving a
 * known key to another address needs a signed register ({@link SignedTexts#register}). A known key's
 * hostname changes only by a signed register newer than the last one accepted: the key's owner states
 * its whole entry (no hostname clears one), so a stranger who registered the key first cannot keep its
 * name on it; an unsigned register, or a replayed signed one, renames nothing.
 * {@code set_visibility}, {@code heartbeat} and {@code resolve} are signed by the node's key on file.
 * Keys are compared as their decoded 32 bytes.
 *
 * <p>Open registration must not fill the table for good: when it is full, a new key takes the place of
 * a node that has not proven its key (signed register, heartbeat, set_visibility or resolve) within
 * {@link RegistryLimits#unprovenNodeTtlMillis} of registering, else of one whose last proof is older than
 * {@link RegistryLimits#silentNodeTtlMillis}; a node that proved its key more recently is never
 * reclaimed. Liveness is kept in memory on its own clock ({@code liveMillis}, monotonic in the server) and
 * restarts at a load; removals are journaled as tombstones, and removed ids are never reused.
 */
final class NodeTable {
    /** Ids 0-3 are special addresses (spec A.1); ours start here. */
    static final int FIRST_NODE_ID = 16;

    /** An answer, and the durable write it waits for (already complete when nothing changed). */
    record Answer(Map<String, Object> reply, CompletableFuture<Void> durable) {
        static Answer now(Map<String, Object> reply) {
            return new Answer(reply, CompletableFuture.completedFuture(null));
        }
    }

    private static final class Node {
        final int id;
        final String publicKey;
        String realAddr;
        String hostname;
        boolean isPublic;
        long stamp;
        long seq;
        /** false until the record that created it is on disk: lookups do not see it before */
        boolean durable;
        /** on the liveness clock: when it registered (or was loaded), and when it last proved its key */
        long registeredAt;
        long provenAt;

        Node(int id, String publicKey) {
            this.id = id;
            this.publicKey = publicKey;
        }

        NodeRecord record() {
            return new NodeRecord(id, publicKey, realAddr, isPublic, hostname, stamp, seq, false);
        }
    }

    static final class Refused extends Exception {
        Refused(String m) {
            super(m, null, false, false);
        }
    }

    private final CryptoSuite suite;
    private final RegistryLimits limits;
    private final Map<Integer, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> byKey = new HashMap<>();
    /** nodes that never proved their key, oldest registration first */
    private final LinkedHashMap<Integer, Node> unproven = new LinkedHashMap<>();
    /** nodes that proved their key, least recently proven first (a proof moves a node to the end) */
    private final LinkedHashMap<Integer, Node> proven = new LinkedHashMap<>();
    private final RateLimiter newKeys;
    private Function<NodeRecord, CompletableFuture<Void>> journal = r -> CompletableFuture.completedFuture(null);
    private long nextId = FIRST_NODE_ID;
    private long seq;

    NodeTable(CryptoSuite suite, RegistryLimits limits) {
        this.suite = suite;
        this.limits = limits;
        this.newKeys = new RateLimiter(limits.newKeysPerIpPerSecond(), RegistryLimits.TRACKED_REGISTRATION_SOURCES, 10_000);
    }

    /**
     * Loads stored records (before serving). A key stored twice (an older store) keeps its lowest id.
     * Every node's liveness starts at {@code liveNow} (a restart gives each a full TTL); one that ever
     * signed a register counts as proven. {@code nextId}: ids below it were given out before (removed ones too).
     */
    synchronized List<Integer> load(Collection<NodeRecord> records, long nextId, long liveNow) {
        this.nextId = Math.max(this.nextId, nextId);
        List<Integer> dropped = new ArrayList<>();
        records.stream().sorted((a, b) -> Integer.compareUnsigned(a.nodeId(), b.nodeId())).forEach(r -> {
            if (byKey.containsKey(r.publicKey())) {
                dropped.add(r.nodeId());
                return;
            }
            Node n = new Node(r.nodeId(), r.publicKey());
            n.realAddr = r.realAddr();
            n.hostname = r.hostname();
            n.isPublic = r.isPublic();
            n.stamp = r.stamp();
            n.seq = r.seq();
            n.durable = true;
            n.registeredAt = liveNow;
            nodes.put(n.id, n);
            byKey.put(n.publicKey, n.id);
            if (n.stamp > 0) {
                proved(n, liveNow);
            } else {
                unproven.put(n.id, n);
            }
            this.nextId = Math.max(this.nextId, Integer.toUnsignedLong(n.id) + 1);
            seq = Math.max(seq, r.seq());
        });
        return dropped;
    }

    synchronized void journal(Function<NodeRecord, CompletableFuture<Void>> j) {
        this.journal = j;
    }

    synchronized Collection<NodeRecord> records() {
        List<NodeRecord> all = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            all.add(n.record());
        }
        return all;
    }

    synchronized int size() {
        return nodes.size();
    }

    /** The same with one clock for timestamps and liveness (tests). */
    Answer handle(Map<String, Object> req, InetAddress peer, long nowMillis) {
        return handle(req, peer, nowMillis, nowMillis);
    }

    /**
     * One request → one answer; never throws for anything a client can send.
     *
     * @param nowMillis  wall clock (signed timestamps)
     * @param liveMillis liveness clock (node TTLs; monotonic in the server, so a wall-clock step cannot age nodes)
     */
    Answer handle(Map<String, Object> req, InetAddress peer, long nowMillis, long liveMillis) {
        Object type = req.get("type");
        try {
            return switch (type instanceof String t ? t : "") {
                case "register" -> register(req, peer, nowMillis, liveMillis);
                case "lookup" -> Answer.now(lookup(req));
                case "resolve" -> Answer.now(resolve(req, liveMillis));
                case "heartbeat" -> {
                    long id = nodeId(req, "node_id");
                    Node n = verify(req, id, SignedTexts.heartbeat((int) id));
                    proved(n, liveMillis);
                    yield Answer.now(ok("heartbeat_ok", (int) id));
                }
                case "set_visibility" -> setVisibility(req, nowMillis, liveMillis);
                default -> Answer.now(error("unknown request type: " + clip(type instanceof String t ? t : String.valueOf(type))));
            };
        } catch (Refused e) {
            return Answer.now(error(e.getMessage()));
        }
    }

    private Answer register(Map<String, Object> req, InetAddress peer, long now, long live) throws Refused {
        if (!(req.get("public_key") instanceof String keyText)) {
            throw new Refused("public_key missing: base64 of a 32-byte Ed25519 key");
        }
        byte[] raw = NodeRecord.decodeKey(keyText);
        if (raw == null) {
            throw new Refused("public_key must be base64 of exactly 32 bytes (an Ed25519 key)");
        }
        String key = Base64.getEncoder().encodeToString(raw);
        if (!(req.get("listen_addr") instanceof String listen) || listen.length() > 300) {
            throw new Refused("listen_addr missing: host:port");
        }
        int port = port(listen);
        Object hostnameField = req.get("hostname");
        if (hostnameField != null && (!(hostnameField instanceof String h) || h.length() > 253)) {
            throw new Refused("hostname must be a string of at most 253 characters");
        }
        String hostname = (String) hostnameField;
        // the registry stores the address it sees the TCP connection come from, with the announced port
        String realAddr = peer.getHostAddress() + ":" + port;
        boolean signed = req.containsKey("signature") || req.containsKey("timestamp");
        long stamp = 0;
        if (signed) {
            // verified before the lock: it needs only the request, and costs the CPU of one Ed25519 verify
            stamp = signedStamp(req, raw, listen, now);
        }
        synchronized (this) {
            Integer id = byKey.get(key);
            Node n = id == null ? null : nodes.get(id);
            if (n != null && signed) {
                proved(n, live); // its signature verified, over a timestamp within the skew
            }
            boolean moves = n != null && !realAddr.equals(n.realAddr);
            if (n != null && !moves) {
                // unchanged, as the reference answers a known key; a signed one need not be newer (a host whose
                // clock stepped back still starts), since nothing changes. A newer one is recorded all the same:
                // otherwise the same request, replayed from another IP within the skew window, would move it.
                if (signed && stamp > n.stamp) {
                    n.stamp = stamp;
                    n.hostname = hostname; // the owner, fresh: its hostname (or none) replaces whoever named the key first
                    n.seq = ++seq;
                    return new Answer(registered(n), write(n));
                }
                return new Answer(registered(n), durable(n));
            }
            if (n != null && !signed) {
                throw new Refused("node " + Integer.toUnsignedString(n.id) + " is registered at another address: moving it "
                        + "needs a signed register (Ed25519 over \"register:<public_key>:<listen_addr>:<timestamp>\")");
            }
            if (n != null && stamp <= n.stamp) {
                throw new Refused("register timestamp " + stamp + " is not newer than the last one accepted for this key (a replay?)");
            }
            CompletableFuture<Void> removal = null;
            if (n == null) {
                Node reclaimed = null;
                if (nodes.size() >= limits.maxNodes()) {
                    reclaimed = reclaimable(live);
                    if (reclaimed == null) {
                        throw new Refused("the registry is full (" + limits.maxNodes() + " nodes, none silent long enough to be "
                                + "replaced); try again later");
                    }
                }
                String wide = SourceKey.wide(peer);
                if (!newKeys.allow(SourceKey.of(peer), now) || wide != null && !newKeys.allow(wide, now)) {
                    throw new Refused("too many new registrations from " + (wide != null ? wide : SourceKey.of(peer))
                            + "; try again in a second");
                }
                if (nextId > 0xFFFFFFFFL) {
                    throw new Refused("the registry has no node ids left");
                }
                if (reclaimed != null) {
                    removal = remove(reclaimed);
                }
                n = new Node((int) nextId++, key);
                n.registeredAt = live;
                nodes.put(n.id, n);
                byKey.put(key, n.id);
                if (signed) {
                    proved(n, live);
                } else {
                    unproven.put(n.id, n);
                }
            }
            // a first registration names the node; a known key gets here only signed and newer (the owner's move)
            n.hostname = hostname;
            n.realAddr = realAddr;
            n.stamp = Math.max(n.stamp, stamp);
            n.seq = ++seq;
            CompletableFuture<Void> written = write(n);
            return new Answer(registered(n), removal == null ? written : CompletableFuture.allOf(removal, written));
        }
    }

    /** {@code n} proved its key at {@code live}: it moves to the end of the reclaim order (takes the lock). */
    private void proved(Node n, long live) {
        synchronized (this) {
            if (nodes.get(n.id) != n) {
                return; // reclaimed meanwhile
            }
            unproven.remove(n.id);
            proven.remove(n.id);
            n.provenAt = live;
            proven.put(n.id, n);
        }
    }

    /**
     * Under the lock: the node a new key may replace when the table is full, or null. Only the head of
     * each order is looked at (constant time per register); a clock that stepped makes it refuse, never
     * reclaim a node early, as the age is checked on the head itself.
     */
    private Node reclaimable(long live) {
        Node unprovenLongest = unproven.isEmpty() ? null : unproven.values().iterator().next();
        if (unprovenLongest != null && live - unprovenLongest.registeredAt >= limits.unprovenNodeTtlMillis()) {
            return unprovenLongest;
        }
        // a node that proved its key goes only when no unproven one is left: young junk must not displace it
        Node silentLongest = proven.isEmpty() || unprovenLongest != null ? null : proven.values().iterator().next();
        if (silentLongest != null && live - silentLongest.provenAt >= limits.silentNodeTtlMillis()) {
            return silentLongest;
        }
        return null;
    }

    /** Under the lock: forgets {@code n} and journals its tombstone (its id is never given out again). */
    private CompletableFuture<Void> remove(Node n) {
        nodes.remove(n.id);
        byKey.remove(n.publicKey);
        unproven.remove(n.id);
        proven.remove(n.id);
        return journal.apply(n.record().removal(++seq));
    }

    /** Under the lock: nothing changed, but a node not yet on disk (its write pending or failed) is written again. */
    private CompletableFuture<Void> durable(Node n) {
        // duplicates in the log are harmless upserts
        return n.durable ? CompletableFuture.completedFuture(null) : write(n);
    }

    /** Under the lock: hands {@code n}'s record to the journal; once on disk the node is visible to lookups. */
    private CompletableFuture<Void> write(Node n) {
        return journal.apply(n.record()).thenRun(() -> {
            synchronized (this) {
                n.durable = true;
            }
        });
    }

    private long signedStamp(Map<String, Object> req, byte[] key, String listen, long now) throws Refused {
        long stamp = timestamp(req, now);
        byte[] sig = signature(req);
        if (sig == null || !suite.ed25519Verify(key, SignedTexts.ascii(SignedTexts.register(Base64.getEncoder().encodeToString(key), listen, stamp)), sig)) {
            throw new Refused("register signature does not verify: Ed25519 over \"register:<public_key>:<listen_addr>:<timestamp>\" "
                    + "by the registered key");
        }
        return stamp;
    }

    private Answer setVisibility(Map<String, Object> req, long now, long live) throws Refused {
        long id = nodeId(req, "node_id");
        if (!(req.get("public") instanceof Boolean visible)) {
            throw new Refused("public must be true or false");
        }
        boolean stamped = req.containsKey("timestamp") || req.containsKey("stamped_signature");
        long stamp = 0;
        Node n;
        if (stamped) {
            stamp = timestamp(req, now);
            n = verify(req, "stamped_signature", id, SignedTexts.setVisibilityStamped((int) id, visible, stamp));
        } else {
            n = verify(req, "signature", id, SignedTexts.setVisibility((int) id));
        }
        synchronized (this) {
            proved(n, live);
            if (!stamped && n.stamp > 0) {
                // it signs its registrations with timestamps, so it speaks the extension: a bare reference
                // signature from it can only be a replay (it covers neither the value nor the time)
                throw new Refused("node " + id + " must send a stamped set_visibility (timestamp, and stamped_signature over "
                        + "\"set_visibility:<node_id>:<true|false>:<timestamp>\")");
            }
            if (stamped && stamp < n.stamp) {
                throw new Refused("set_visibility timestamp " + stamp + " is older than the last one accepted for node " + id
                        + " (a replay?)");
            }
            if (n.isPublic == visible && stamp <= n.stamp) {
                return new Answer(ok("set_visibility_ok", n.id), durable(n));
            }
            n.isPublic = visible;
            n.stamp = Math.max(n.stamp, stamp);
            n.seq = ++seq;
            return new Answer(ok("set_visibility_ok", n.id), write(n));
        }
    }

    /** A signed request's timestamp: Unix milliseconds within the allowed skew of the registry's clock. */
    private long timestamp(Map<String, Object> req, long now) throws Refused {
        if (!(req.get("timestamp") instanceof Long stamp) || stamp <= 0) {
            throw new Refused("a stamped request needs timestamp (Unix milliseconds)");
        }
        if (Math.abs(now - stamp) > limits.maxRegisterSkewMillis()) {
            throw new Refused("timestamp " + stamp + " is more than " + limits.maxRegisterSkewMillis()
                    + " ms from the registry's clock " + now);
        }
        return stamp;
    }

    private synchronized Map<String, Object> lookup(Map<String, Object> req) throws Refused {
        Node n = node(nodeId(req, "node_id"));
        Map<String, Object> m = ok("lookup_ok", n.id);
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

    private Map<String, Object> resolve(Map<String, Object> req, long live) throws Refused {
        long requester = nodeId(req, "requester_id");
        long target = nodeId(req, "node_id");
        proved(verify(req, requester, SignedTexts.resolve((int) requester, (int) target)), live);
        synchronized (this) {
            Node n = node(target);
            if (!n.isPublic) {
                throw new Refused("node " + target + " is private");
            }
            Map<String, Object> m = ok("resolve_ok", n.id);
            m.put("real_addr", n.realAddr);
            return m;
        }
    }

    /** The node {@code signer}, if {@code req} carries its signature over {@code challenge}. */
    private Node verify(Map<String, Object> req, long signer, String challenge) throws Refused {
        return verify(req, "signature", signer, challenge);
    }

    /** The same, with the signature in field {@code field}. */
    private Node verify(Map<String, Object> req, String field, long signer, String challenge) throws Refused {
        byte[] key;
        Node n;
        synchronized (this) {
            n = node(signer);
            key = Base64.getDecoder().decode(n.publicKey);
        }
        byte[] sig = signature(req, field);
        if (sig == null || !suite.ed25519Verify(key, SignedTexts.ascii(challenge), sig)) {
            throw new Refused("signature required: Ed25519 over \"" + challenge + "\" by node " + signer);
        }
        return n;
    }

    private static byte[] signature(Map<String, Object> req) {
        return signature(req, "signature");
    }

    private static byte[] signature(Map<String, Object> req, String field) {
        if (!(req.get(field) instanceof String s) || s.length() > 128) {
            return null;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(s);
            return raw.length == 64 ? raw : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int port(String listen) throws Refused {
        int port = HostPort.portOf(listen); // the host part is not used: the registry stores the address it sees
        if (port < 0) {
            throw new Refused("listen_addr must be host:port with a decimal port 1-65535, not \"" + clip(listen) + "\"");
        }
        return port;
    }

    /** Client text echoed in an error, cut short so an answer never grows with a hostile request. */
    private static String clip(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }

    private static long nodeId(Map<String, Object> req, String field) throws Refused {
        if (!(req.get(field) instanceof Long id) || id < 0 || id > 0xFFFFFFFFL) {
            throw new Refused(field + " missing or not a node id (0..4294967295)");
        }
        return id;
    }

    private Node node(long id) throws Refused {
        Node n = nodes.get((int) id);
        if (n == null || !n.durable) {
            throw new Refused("unknown node " + id + " (" + new Address(0, (int) id) + ")");
        }
        return n;
    }

    private Map<String, Object> registered(Node n) {
        Map<String, Object> m = ok("register_ok", n.id);
        m.put("network_id", 0L);
        m.put("address", new Address(0, n.id).toString());
        m.put("public_key", n.publicKey);
        return m;
    }

    private static Map<String, Object> ok(String type, int id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("node_id", Integer.toUnsignedLong(id));
        return m;
    }

    static Map<String, Object> error(String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "error");
        m.put("error", why);
        return m;
    }
}
