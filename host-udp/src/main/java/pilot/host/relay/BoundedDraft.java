package pilot.host.relay;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.protocols.IProtocol;

/**
 * RFC 6455 with one message bounded as a whole, not only each frame. Java-WebSocket 1.6.0 checks its
 * maximum against a single frame and against a fragmented message only when its final frame arrives:
 * non-final continuation frames are buffered without a check, so a client could grow one message
 * without limit. This draft counts the fragments of the message in progress and closes with 1009 as
 * soon as they pass {@code maxMessageBytes}. One instance per connection ({@link #copyInstance}).
 *
 * <p>It also turns the library's own failures on malformed frames into a protocol-error close (1002):
 * a close frame whose reason is not valid UTF-8 throws a NullPointerException inside Java-WebSocket
 * 1.6.0, which it logs with a stack trace and then keeps reading the same connection, so one client
 * could write stack traces at will before logging in.
 */
final class BoundedDraft extends Draft_6455 {
    private final List<IProtocol> protocols;
    private final int maxMessageBytes;
    private long fragmentBytes;

    BoundedDraft(List<IProtocol> protocols, int maxMessageBytes) {
        super(Collections.emptyList(), protocols, maxMessageBytes);
        this.protocols = protocols;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public Draft copyInstance() {
        return new BoundedDraft(protocols, maxMessageBytes);
    }

    @Override
    public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
        try {
            return super.translateFrame(buffer);
        } catch (RuntimeException malformed) {
            throw new InvalidDataException(CloseFrame.PROTOCOL_ERROR, "malformed frame");
        }
    }

    @Override
    public void processFrame(WebSocketImpl ws, Framedata frame) throws InvalidDataException {
        Opcode op = frame.getOpcode();
        boolean data = op == Opcode.CONTINUOUS || op == Opcode.TEXT || op == Opcode.BINARY;
        boolean fragment = data && (op == Opcode.CONTINUOUS || !frame.isFin());
        if (fragment) {
            fragmentBytes += frame.getPayloadData().remaining();
            if (fragmentBytes > maxMessageBytes) {
                fragmentBytes = 0;
                throw new LimitExceededException("message larger than " + maxMessageBytes + " bytes", maxMessageBytes);
            }
        }
        if (data && frame.isFin()) {
            fragmentBytes = 0; // the message is complete (control frames in between change nothing)
        }
        try {
            super.processFrame(ws, frame);
        } catch (RuntimeException malformed) {
            throw new InvalidDataException(CloseFrame.PROTOCOL_ERROR, "malformed frame");
        }
    }
}
