package pilot.host.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import pilot.core.crypto.CryptoSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.crypto.SigningKey;
import pilot.core.json.Json;
import pilot.host.registry.RegistryServer;
import pilot.host.relay.RelayProtocol;

/** A minimal relay client for the benchmark: log in, register, resolve one peer. */
final class RelayClient implements AutoCloseable {
    final WebSocketClient ws;
    final LinkedBlockingQueue<Map<String, Object>> texts = new LinkedBlockingQueue<>();
    final SigningKey key;
    final String keyB64;
    int nodeId;

    RelayClient(int port, CryptoSuite suite) throws Exception {
        key = suite.ed25519(new SeededEntropy(99).bytes(32));
        keyB64 = Base64.getEncoder().encodeToString(key.publicKey());
        ws = new WebSocketClient(new URI("ws://127.0.0.1:" + port + RelayProtocol.PATH)) {
            @Override
            public void onOpen(ServerHandshake h) {
            }

            @Override
            public void onMessage(String m) {
                texts.add(Json.parseObject(m).value());
            }

            @Override
            public void onMessage(ByteBuffer b) {
            }

            @Override
            public void onClose(int c, String r, boolean remote) {
            }

            @Override
            public void onError(Exception e) {
            }
        };
        ws.connectBlocking(5, TimeUnit.SECONDS);
        String nonce = (String) texts.poll(5, TimeUnit.SECONDS).get("nonce");
        ws.send(Json.write(Map.of("type", "auth_reply", "public_key", keyB64, "sig",
                Base64.getEncoder().encodeToString(key.sign(RelayProtocol.challengeBytes(nonce, keyB64))))));
        texts.poll(5, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> registry(Map<String, Object> req) throws InterruptedException {
        ws.send(Json.write(Map.of("type", "registry", "id", 1L, "request", req)));
        return (Map<String, Object>) texts.poll(5, TimeUnit.SECONDS).get("reply");
    }

    void register(RegistryServer registry) throws InterruptedException {
        nodeId = (int) (long) (Long) registry(Map.of("type", "register", "public_key", keyB64)).get("node_id");
    }

    InetSocketAddress resolve(int peer) throws InterruptedException {
        String sig = Base64.getEncoder().encodeToString(key.sign(("resolve:" + nodeId + ":" + peer).getBytes()));
        String real = (String) registry(Map.of("type", "resolve", "node_id", (long) peer, "requester_id", (long) nodeId,
                "signature", sig)).get("real_addr");
        int colon = real.lastIndexOf(':');
        return new InetSocketAddress(real.substring(0, colon), Integer.parseInt(real.substring(colon + 1)));
    }

    @Override
    public void close() throws InterruptedException {
        ws.closeBlocking();
    }
}
