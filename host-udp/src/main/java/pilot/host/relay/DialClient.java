package pilot.host.relay;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;

/**
 * The relay's side of a dialled connection: a WebSocket client to a Worker's URL, offering subprotocol
 * {@value RelayProtocol#DIAL_SUBPROTOCOL}. Everything it receives goes to the {@link RelayServer}'s handlers,
 * the same ones its accepted connections use, so both are one {@link RelayServer.Session} type with two ways
 * in. Bounded as the server side is ({@link BoundedDraft}, {@link RelayProtocol#MAX_BINARY}); a connect
 * timeout; redirects are not followed (Java-WebSocket takes only a 101 answer).
 */
final class DialClient extends WebSocketClient {
    private final RelayServer relay;

    DialClient(RelayServer relay, URI uri, int connectTimeoutMillis) {
        // "" accepts an upgrade answer that does not echo the subprotocol (spec notes, "Relay dial-in")
        super(uri, new BoundedDraft(List.<IProtocol>of(new Protocol(RelayProtocol.DIAL_SUBPROTOCOL), new Protocol("")),
                RelayProtocol.MAX_BINARY), Map.of(), connectTimeoutMillis);
        this.relay = relay;
        setConnectionLostTimeout(0); // the relay's own pings (RelayLimits.DialIn) decide liveness
        setTcpNoDelay(true);
        setDaemon(true); // its reader and writer threads never keep a stopping relay alive
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        // the Worker speaks first (relay_challenge)
    }

    @Override
    public void onMessage(String message) {
        relay.onMessage(this, message);
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
        relay.onMessage(this, bytes);
    }

    /**
     * Pongs within {@link RelayServer#MAX_QUEUED_FRAMES_FOR_PONG}, as on the server side: whatever answers at the URL
     * has proven nothing yet, and Java-WebSocket's client answers every ping, queuing pongs without limit for a peer
     * that pings and never reads (over a million frames in 3 s on loopback before this bound).
     */
    @Override
    public void onWebsocketPing(WebSocket conn, Framedata f) {
        if (RelayServer.queuedFrames(this) >= RelayServer.MAX_QUEUED_FRAMES_FOR_PONG) {
            return;
        }
        super.onWebsocketPing(conn, f);
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
        if (getAttachment() instanceof RelayServer.Session s) {
            s.lastPong = RelayServer.now();
        }
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        relay.onClose(this, code, reason, remote);
    }

    @Override
    public void onError(Exception ex) {
        relay.onError(this, ex);
    }
}
