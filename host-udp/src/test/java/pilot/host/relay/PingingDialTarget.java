package pilot.host.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A hostile dial target for the relay's dial-in: it accepts the relay's WebSocket upgrade (subprotocol
 * {@value RelayProtocol#DIAL_SUBPROTOCOL}), then sends pings without end (a relay_challenge among them when asked)
 * and never reads another byte, through a 4 KiB receive buffer, so whatever the relay sends backs up on its side.
 */
final class PingingDialTarget implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    private final Thread thread;
    private volatile Socket accepted;
    private volatile boolean challenge;

    PingingDialTarget() throws IOException {
        server.setReceiveBufferSize(4096); // before bind: accepted sockets inherit it
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "pinging-dial-target");
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends a relay_challenge among the pings (the relay then owes its relay_proof), and pings on. */
    void challenge() {
        challenge = true;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    private void serve() {
        try (Socket s = server.accept()) {
            accepted = s;
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.write(b);
            }
            String key = head.toString(StandardCharsets.US_ASCII).lines()
                    .filter(l -> l.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18))
                    .map(l -> l.substring(18).trim()).findFirst().orElse("");
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\nSec-WebSocket-Protocol: " + RelayProtocol.DIAL_SUBPROTOCOL
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(200); // the relay's client takes pings only once it is open (else it closes as malformed)
            byte[] ping = new byte[2 + 125];
            ping[0] = (byte) 0x89; // FIN, ping; unmasked, as a server sends
            ping[1] = 125;
            byte[] burst = new byte[ping.length * 100];
            for (int i = 0; i < 100; i++) {
                System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
            }
            while (true) {
                out.write(burst);
                if (challenge) {
                    challenge = false;
                    byte[] text = ("{\"type\":\"relay_challenge\",\"nonce\":\"" + "ab".repeat(16) + "\"}")
                            .getBytes(StandardCharsets.US_ASCII);
                    out.write(new byte[] {(byte) 0x81, (byte) text.length}); // FIN, text, unmasked, < 126 bytes
                    out.write(text);
                }
            }
        } catch (IOException | java.security.NoSuchAlgorithmException | InterruptedException e) {
            // closed: by the relay, or by the test
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = accepted;
        if (s != null) {
            s.close();
        }
    }
}
