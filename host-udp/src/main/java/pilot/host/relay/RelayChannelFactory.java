package pilot.host.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.DefaultWebSocketServerFactory;

/**
 * Java-WebSocket's connection factory with the relay's guards before the upgrade: a socket is admitted
 * only within {@link RelayPolicy#admitSocket} (total and per IP), its upgrade request may be at most
 * {@link RelayLimits#maxUpgradeBytes} ({@link GuardedChannel}) and must complete within
 * {@link RelayLimits#handshakeTimeoutMillis} ({@link #closeStalled}). TLS (wss://) when given an SSLContext.
 */
final class RelayChannelFactory implements WebSocketServerFactory {
    private final WebSocketServerFactory inner;
    private final RelayPolicy policy;
    private final RelayLimits limits;
    private final LongSupplier clock;
    /** Connections not yet upgraded; bounded by {@link RelayLimits#maxSockets()} through the policy. */
    private final Set<Stalling> upgrading = ConcurrentHashMap.newKeySet();

    private record Stalling(GuardedChannel channel, SelectionKey key) {
    }

    RelayChannelFactory(SSLContext tls, RelayPolicy policy, RelayLimits limits, LongSupplier clock) {
        this.inner = tls == null ? new DefaultWebSocketServerFactory() : new DefaultSSLWebSocketServerFactory(tls);
        this.policy = policy;
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, Draft d) {
        return inner.createWebSocket(a, d);
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter a, List<Draft> drafts) {
        return inner.createWebSocket(a, drafts);
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        String ip = RelayPolicy.sourceOf(((InetSocketAddress) channel.getRemoteAddress()).getAddress()); // IPv6: its /64
        if (!policy.admitSocket(ip)) {
            channel.close();
            throw new IOException("too many connections from " + ip + " or in total");
        }
        ByteChannel wrapped;
        try {
            wrapped = inner.wrapChannel(channel, key);
        } catch (IOException | RuntimeException e) {
            policy.socketClosed(ip);
            throw e;
        }
        Stalling[] self = new Stalling[1];
        GuardedChannel g = new GuardedChannel(wrapped, ip, clock.getAsLong(), limits.maxUpgradeBytes(), () -> {
            policy.socketClosed(ip);
            upgrading.remove(self[0]);
        });
        self[0] = new Stalling(g, key);
        upgrading.add(self[0]);
        return g;
    }

    /** The WebSocket upgrade of this connection completed. */
    void upgraded(WebSocketImpl ws) {
        if (ws.getChannel() instanceof GuardedChannel g) {
            g.upgraded();
            upgrading.removeIf(s -> s.channel == g);
        }
    }

    /** Closes connections whose upgrade did not complete in time; returns how many. */
    int closeStalled() {
        long now = clock.getAsLong();
        int n = 0;
        for (Stalling s : upgrading) {
            if (!s.channel.isUpgraded() && now - s.channel.acceptedAt > limits.handshakeTimeoutMillis()) {
                upgrading.remove(s);
                n++;
                if (s.key.attachment() instanceof WebSocketImpl ws) {
                    ws.closeConnection(CloseFrame.ABNORMAL_CLOSE, "WebSocket upgrade not completed in time");
                } else {
                    try {
                        s.channel.close();
                    } catch (IOException e) {
                        // already gone
                    }
                }
            }
        }
        return n;
    }

    int upgradingCount() {
        return upgrading.size();
    }

    @Override
    public void close() {
        inner.close();
    }
}
