package pilot.host.relay;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.server.WebSocketServer;

/**
 * Finds the frames Java-WebSocket (1.6.0, and its main branch since) leaves queued with nobody to write them, and
 * asks its selector to write them.
 *
 * <p>Why: {@code WebSocket.send} from any thread but the server's selector thread (the relay answers from the decoder
 * threads, its registry threads, its timer and its UDP thread) puts the frame on the connection's queue and sets
 * {@code OP_READ | OP_WRITE} on the connection's key. The selector thread's write step empties that queue and then
 * sets {@code OP_READ} alone. When a send lands after the write step's last look at the queue and before its
 * {@code OP_READ}, the send's {@code OP_WRITE} is overwritten: the frame stays queued, the selector never selects
 * the connection for writing again, and the peer never receives it (nor anything after it) until some later send
 * sets {@code OP_WRITE} again. An answer that is the last thing the relay owes a client (an {@code auth_ok}, a
 * {@code dial_in_error}, the close frame of a refused login) was then lost for good. The library offers no hook
 * inside its write step, so the relay looks from outside: a connection with frames queued and no {@code OP_WRITE}
 * is exactly that state (a send between its enqueue and its own {@code OP_WRITE} looks the same for an instant;
 * writing it early is harmless).
 */
final class StalledWrites {
    private StalledWrites() {
    }

    /** Whether {@code ws} has frames queued that its selector will not write: queued, and no write interest. */
    static boolean stalled(WebSocketImpl ws) {
        SelectionKey key = ws.getSelectionKey();
        try {
            return key != null && key.isValid() && !ws.outQueue.isEmpty() && (key.interestOps() & SelectionKey.OP_WRITE) == 0;
        } catch (CancelledKeyException e) {
            return false; // closed meanwhile: whoever cancelled it cleans up
        }
    }

    /** Asks {@code server}'s selector to write every stalled connection's queue; returns how many were stalled. */
    static int rearm(WebSocketServer server) {
        int n = 0;
        for (WebSocket ws : server.getConnections()) {
            if (ws instanceof WebSocketImpl impl && stalled(impl)) {
                server.onWriteDemand(impl); // what a send does: OP_READ | OP_WRITE, and the selector woken
                n++;
            }
        }
        return n;
    }
}
