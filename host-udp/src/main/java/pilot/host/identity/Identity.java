package pilot.host.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import pilot.core.Result;
import pilot.core.addr.Address;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.Entropy;
import pilot.core.crypto.SigningKey;
import pilot.core.json.Json;
import pilot.core.wire.Bytes;

/**
 * A node's identity: its Ed25519 key and, once registered, its node id. Stored as JSON, owner-only:
 * <pre>{"version":1,"ed25519_private":"&lt;base64 seed‖public, 64 bytes as the reference daemon keeps it&gt;",
 *  "ed25519_public":"&lt;base64&gt;","node_id":42,"network":0,"address":"0:0000.0000.002A"}</pre>
 * The node id is 0 until the registry assigned one.
 */
public record Identity(byte[] seed, byte[] publicKey, int nodeId, int network) {
    public static final int VERSION = 1;

    public Identity {
        if (seed == null || seed.length != 32 || publicKey == null || publicKey.length != 32) {
            throw new IllegalArgumentException("Ed25519 seed and public key must be 32 bytes");
        }
        seed = seed.clone();
        publicKey = publicKey.clone();
    }

    public static Identity generate(CryptoSuite suite, Entropy entropy) {
        byte[] seed = entropy.bytes(32);
        return new Identity(seed, suite.ed25519(seed).publicKey(), 0, 0);
    }

    public SigningKey signingKey(CryptoSuite suite) {
        return suite.ed25519(seed);
    }

    public Identity withNode(int node, int net) {
        return new Identity(seed, publicKey, node, net);
    }

    public boolean isRegistered() {
        return nodeId != 0;
    }

    public Address address() {
        return new Address(network, nodeId);
    }

    @Override
    public byte[] seed() {
        return seed.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey);
    }

    /** Never prints the private key. */
    @Override
    public String toString() {
        return "Identity[" + (isRegistered() ? address().toString() : "unregistered") + " ed25519=" + publicKeyBase64() + "]";
    }

    public byte[] toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", (long) VERSION);
        m.put("ed25519_private", Base64.getEncoder().encodeToString(Bytes.concat(seed, publicKey)));
        m.put("ed25519_public", publicKeyBase64());
        m.put("node_id", Integer.toUnsignedLong(nodeId));
        m.put("network", (long) network);
        m.put("address", address().toString());
        return (Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Parses an identity file, checking that the stored public key matches the private key; failures say which field. */
    public static Result<Identity> fromJson(String text, CryptoSuite suite) {
        Result<Map<String, Object>> parsed = Json.parseObject(text);
        if (!parsed.isOk()) {
            return bad("not an identity file (not JSON: " + parsed.detail() + ")");
        }
        Map<String, Object> m = parsed.value();
        Result<byte[]> privField = base64(m, "ed25519_private");
        if (!privField.isOk()) {
            return privField.castFailure();
        }
        byte[] priv = privField.value();
        if (priv == null) {
            return bad("ed25519_private is missing");
        }
        if (priv.length != 64 && priv.length != 32) {
            return bad("ed25519_private must hold 32 or 64 bytes");
        }
        byte[] seed = java.util.Arrays.copyOf(priv, 32);
        byte[] pub = suite.ed25519(seed).publicKey();
        if (priv.length == 64 && !java.util.Arrays.equals(pub, java.util.Arrays.copyOfRange(priv, 32, 64))) {
            return bad("ed25519_private: the public half does not belong to the seed");
        }
        Result<byte[]> stored = base64(m, "ed25519_public");
        if (!stored.isOk()) {
            return stored.castFailure();
        }
        if (stored.value() != null && !java.util.Arrays.equals(pub, stored.value())) {
            return bad("ed25519_public does not match ed25519_private");
        }
        Result<Long> node = number(m, "node_id");
        if (!node.isOk()) {
            return node.castFailure();
        }
        Result<Long> net = number(m, "network");
        if (!net.isOk()) {
            return net.castFailure();
        }
        if (node.value() < 0 || node.value() > 0xFFFFFFFFL || net.value() < 0 || net.value() > 0xFFFF) {
            return bad("node_id or network out of range");
        }
        return Result.ok(new Identity(seed, pub, (int) (long) node.value(), (int) (long) net.value()));
    }

    /** A whole-number field; 0 when absent; a failure naming the field when it is something else. */
    private static Result<Long> number(Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (v == null) {
            return Result.ok(0L);
        }
        return v instanceof Long n ? Result.ok(n) : bad(field + " must be a number");
    }

    /** A base64 field's bytes; null when absent; a failure naming the field when it is not a base64 string. */
    private static Result<byte[]> base64(Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (v == null) {
            return Result.ok(null);
        }
        if (!(v instanceof String text)) {
            return bad(field + " must be a base64 string");
        }
        try {
            return Result.ok(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return bad(field + " is not base64");
        }
    }

    private static <T> Result<T> bad(String why) {
        return Result.fail(pilot.core.ErrorCode.BAD_LENGTH, why);
    }

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, toJson());
    }

    /** Loads the identity at {@code file}; a missing file is {@code null}, a corrupt one an IOException. */
    public static Identity load(Path file, CryptoSuite suite) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an identity file (give the file's path)");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        Result<Identity> r = fromJson(text, suite);
        if (!r.isOk()) {
            throw new IOException(file + ": " + r.detail() + "; move it away to create a new identity, or restore it from a backup");
        }
        AtomicFiles.warnIfExposed(file); // a key file (a junk one is refused above, without this warning)
        return r.value();
    }

    /** Loads the identity, or creates and saves a new unregistered one. */
    public static Identity loadOrCreate(Path file, CryptoSuite suite, Entropy entropy) throws IOException {
        Identity id = load(file, suite);
        if (id == null) {
            id = generate(suite, entropy);
            id.save(file);
        }
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity i && java.util.Arrays.equals(i.seed, seed) && i.nodeId == nodeId && i.network == network;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(publicKey) * 31 + nodeId;
    }
}
