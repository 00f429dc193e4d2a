package pilot.host.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A hand-made WebSocket client over a plain socket, for sending what no honest client would. */
final class RawWebSocket implements AutoCloseable {
    final Socket socket = new Socket();
    final InputStream in;
    final OutputStream out;
    /** The reason text of the last close frame {@link #awaitClose} saw. */
    String closeReason = "";

    RawWebSocket(int port) throws IOException {
        this(port, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the default) set before the connect, as the window needs. */
    RawWebSocket(int port, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String upgradeRequest(int port) {
        return "GET " + RelayProtocol.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + RelayProtocol.SUBPROTOCOL + "\r\n\r\n";
    }

    /** Completes the upgrade; returns the response head. */
    String upgrade() throws IOException {
        out.write(upgradeRequest(socket.getPort()).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade");
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** One server frame: {opcode, payload}. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    Frame readFrame() throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("closed");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | in.read();
            }
        }
        byte[] p = in.readNBytes((int) len);
        return new Frame(b0 & 0x0F, p);
    }

    /** Reads frames until a close frame (its code) or the end of the stream (-1); a timeout throws. */
    int awaitClose() throws IOException {
        while (true) {
            Frame f;
            try {
                f = readFrame();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                return -1;
            }
            if (f.opcode == 8) {
                closeReason = f.payload.length > 2 ? new String(f.payload, 2, f.payload.length - 2, java.nio.charset.StandardCharsets.UTF_8) : "";
                return f.closeCode();
            }
        }
    }

    /** True when the server closed the TCP connection (end of stream or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** A masked client frame header claiming {@code length} payload bytes (64-bit length form). */
    static byte[] frameHeader(int opcode, long length) {
        return frameHeader(opcode, length, true);
    }

    /** The same, with FIN clear for all but the last fragment of a message. */
    static byte[] frameHeader(int opcode, long length, boolean fin) {
        if (length < 65_536) { // the 16-bit form, as RFC 6455 requires for these lengths
            return new byte[] {(byte) ((fin ? 0x80 : 0) | opcode), (byte) (0x80 | 126), (byte) (length >> 8), (byte) length, 0, 0, 0, 0};
        }
        byte[] h = new byte[14];
        h[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        h[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        // mask key 0: the payload is sent as it is
        return h;
    }

    /** One masked (key 0) text frame. */
    void sendText(String text) throws IOException {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        byte[] h = p.length < 126 ? new byte[] {(byte) 0x81, (byte) (0x80 | p.length), 0, 0, 0, 0}
                : new byte[] {(byte) 0x81, (byte) (0x80 | 126), (byte) (p.length >> 8), (byte) p.length, 0, 0, 0, 0};
        out.write(h);
        out.write(p);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
