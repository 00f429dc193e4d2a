package pilot.host.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import pilot.core.edge.SignedTexts;

/**
 * A blocking client for the registry protocol (spec I.1). One short TCP connection per call, so a
 * registry restart costs nothing. Requests that need a signature take a signer: the bytes of the ASCII
 * challenge in, the 64-byte Ed25519 signature out (a Worker signs its own through the relay).
 */
public final class RegistryClient {
    private final InetSocketAddress registry;
    private final int timeoutMillis;

    /** A registry answer that is an error, or could not be had. */
    public static class RegistryException extends IOException {
        public RegistryException(String message) {
            super(message);
        }
    }

    /** The registry answered, and its answer was an error (it is up, but refused the request). */
    public static final class Refused extends RegistryException {
        public Refused(String message) {
            super(message);
        }
    }

    public record Registration(int nodeId, String address) {
    }

    public record Lookup(int nodeId, byte[] publicKey, String realAddr, boolean isPublic) {
    }

    public RegistryClient(InetSocketAddress registry, int timeoutMillis) {
        this.registry = registry;
        this.timeoutMillis = timeoutMillis;
    }

    /** An unsigned register: enough for a key the registry does not know yet, or at an unchanged address. */
    public Registration register(String listenAddr, byte[] publicKey, String hostname) throws IOException {
        return register(listenAddr, publicKey, hostname, null, 0);
    }

    /**
     * A signed register ({@link SignedTexts#register}): needed to move a known key to another address, e.g.
     * after a restart on another port. {@code timestampMillis} is Unix time; the registry takes it only
     * near its own clock and above the last one it accepted for the key.
     */
    public Registration register(String listenAddr, byte[] publicKey, String hostname, Function<byte[], byte[]> signer,
            long timestampMillis) throws IOException {
        Map<String, Object> req = request("register");
        req.put("listen_addr", listenAddr);
        req.put("public_key", Base64.getEncoder().encodeToString(publicKey));
        if (hostname != null) {
            req.put("hostname", hostname);
        }
        if (signer != null) {
            req.put("timestamp", timestampMillis);
            req.put("signature", Base64.getEncoder().encodeToString(signer.apply(SignedTexts.ascii(
                    SignedTexts.register(Base64.getEncoder().encodeToString(publicKey), listenAddr, timestampMillis)))));
        }
        Map<String, Object> r = call(req, "register_ok");
        return new Registration((int) (long) (Long) r.get("node_id"), (String) r.get("address"));
    }

    public Lookup lookup(int nodeId) throws IOException {
        Map<String, Object> req = request("lookup");
        req.put("node_id", Integer.toUnsignedLong(nodeId));
        Map<String, Object> r = call(req, "lookup_ok");
        byte[] key = Base64.getDecoder().decode((String) r.get("public_key"));
        if (key.length != 32) {
            // refused here, before the key is persisted or pinned anywhere
            throw new RegistryException("the registry's key for node " + Integer.toUnsignedString(nodeId) + " is " + key.length
                    + " bytes, not an Ed25519 key");
        }
        return new Lookup(nodeId, key, (String) r.get("real_addr"), Boolean.TRUE.equals(r.get("public")));
    }

    /** The endpoint ("ip:port") of {@code nodeId}, asked for by {@code requester}. */
    public String resolve(int nodeId, int requester, Function<byte[], byte[]> signer) throws IOException {
        Map<String, Object> req = request("resolve");
        req.put("node_id", Integer.toUnsignedLong(nodeId));
        req.put("requester_id", Integer.toUnsignedLong(requester));
        req.put("signature", sign(signer, SignedTexts.resolve(requester, nodeId)));
        return (String) call(req, "resolve_ok").get("real_addr");
    }

    public void heartbeat(int nodeId, Function<byte[], byte[]> signer) throws IOException {
        Map<String, Object> req = request("heartbeat");
        req.put("node_id", Integer.toUnsignedLong(nodeId));
        req.put("signature", sign(signer, SignedTexts.heartbeat(nodeId)));
        call(req, "heartbeat_ok");
    }

    public void setVisibility(int nodeId, boolean isPublic, Function<byte[], byte[]> signer) throws IOException {
        setVisibility(nodeId, isPublic, signer, System.currentTimeMillis());
    }

    /**
     * Signed twice: the reference challenge (spec I.1, for reference registries) and the stamped one
     * ({@link SignedTexts#setVisibilityStamped}) that our registry requires from a node that registers signed.
     */
    public void setVisibility(int nodeId, boolean isPublic, Function<byte[], byte[]> signer, long timestampMillis)
            throws IOException {
        long id = Integer.toUnsignedLong(nodeId);
        Map<String, Object> req = request("set_visibility");
        req.put("node_id", id);
        req.put("public", isPublic);
        req.put("signature", sign(signer, SignedTexts.setVisibility(nodeId)));
        req.put("timestamp", timestampMillis);
        req.put("stamped_signature", sign(signer, SignedTexts.setVisibilityStamped(nodeId, isPublic, timestampMillis)));
        call(req, "set_visibility_ok");
    }

    /** Sends any request (the relay forwards Workers' own) and returns the raw answer. */
    public Map<String, Object> raw(Map<String, Object> request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(registry, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            RegistryWire.write(s.getOutputStream(), request);
            Map<String, Object> r = RegistryWire.read(s.getInputStream());
            if (r == null) {
                throw new RegistryException("registry " + pilot.host.log.AddressText.of(registry) + " closed the connection without answering");
            }
            return r;
        } catch (java.net.ConnectException e) {
            throw new RegistryException("registry " + pilot.host.log.AddressText.of(registry) + " refused the connection (is it running?)");
        } catch (java.net.SocketTimeoutException e) {
            throw new RegistryException("registry " + pilot.host.log.AddressText.of(registry) + " did not answer within " + timeoutMillis + " ms");
        }
    }

    private Map<String, Object> call(Map<String, Object> req, String expected) throws IOException {
        Map<String, Object> r = raw(req);
        if (r.get("error") != null) {
            throw new Refused("registry refused " + req.get("type") + ": " + r.get("error"));
        }
        if (!expected.equals(r.get("type"))) {
            throw new RegistryException("registry answered " + r.get("type") + " to " + req.get("type"));
        }
        return r;
    }

    private static Map<String, Object> request(String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        return m;
    }

    private static String sign(Function<byte[], byte[]> signer, String challenge) {
        return Base64.getEncoder().encodeToString(signer.apply(SignedTexts.ascii(challenge)));
    }
}
