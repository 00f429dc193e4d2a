package pilot.host.registry;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import pilot.core.Result;
import pilot.core.json.Json;
import pilot.core.wire.Bytes;

/**
 * Registry framing (spec I.1): a 4-byte big-endian length, then that many bytes of UTF-8 JSON (an
 * object). At most 1 MiB per message; one request, one response, strictly alternating.
 */
public final class RegistryWire {
    public static final int MAX_MESSAGE = 1 << 20;

    private RegistryWire() {
    }

    public static void write(OutputStream out, Map<String, Object> message) throws IOException {
        byte[] body = Json.write(message).getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_MESSAGE) {
            throw new IOException("registry message over 1 MiB");
        }
        byte[] frame = new byte[4 + body.length];
        Bytes.put32(frame, 0, body.length);
        System.arraycopy(body, 0, frame, 4, body.length);
        out.write(frame);
        out.flush();
    }

    /** The next message, or {@code null} at a clean end of stream; malformed input is an IOException. */
    public static Map<String, Object> read(InputStream in) throws IOException {
        byte[] body = readBody(in);
        if (body == null) {
            return null;
        }
        Result<Map<String, Object>> m = parse(body);
        if (!m.isOk()) {
            throw new IOException("registry message is not a JSON object: " + m.detail());
        }
        return m.value();
    }

    /**
     * The next frame's body, or {@code null} at a clean end of stream. An IOException means the framing
     * itself is broken (cut short, or over 1 MiB) and the stream cannot be resynchronised; a body that
     * is not JSON is still a whole frame, and the connection can go on ({@link #parse}).
     */
    public static byte[] readBody(InputStream in) throws IOException {
        return readBody(in, MAX_MESSAGE);
    }

    /** {@link #readBody(InputStream)} with a smaller limit (the server's for requests). */
    public static byte[] readBody(InputStream in, int max) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int first = d.read();
        if (first < 0) {
            return null;
        }
        byte[] rest = new byte[3];
        try {
            d.readFully(rest);
        } catch (EOFException e) {
            throw new IOException("registry message cut short in its length prefix", e); // found by fuzzing
        }
        long len = ((long) first << 24) | ((rest[0] & 0xFF) << 16) | ((rest[1] & 0xFF) << 8) | (rest[2] & 0xFF);
        if (len > max) {
            throw new IOException("registry message of " + len + " bytes exceeds " + max);
        }
        byte[] body = new byte[(int) len];
        try {
            d.readFully(body);
        } catch (EOFException e) {
            throw new IOException("registry message cut short", e);
        }
        return body;
    }

    /** A frame's body as a JSON object, or a failure saying why not. */
    public static Result<Map<String, Object>> parse(byte[] body) {
        return Json.parseObject(new String(body, StandardCharsets.UTF_8));
    }
}
