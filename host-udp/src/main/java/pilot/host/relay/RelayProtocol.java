package pilot.host.relay;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import pilot.core.wire.Bytes;

/**
 * The Worker ⇄ relay protocol over one WebSocket (subprotocol {@value #SUBPROTOCOL}).
 *
 * <p>Login (text JSON, modelled on the compat-mode login of spec J):
 * <ol>
 *   <li>relay → Worker {@code {"type":"auth_challenge","nonce":"<64 hex>"}}</li>
 *   <li>Worker → relay {@code {"type":"auth_reply","public_key":"<base64 Ed25519>","sig":"<base64>"}}, the
 *       signature over the ASCII string {@code pilot_relay_auth:<nonce>:<public_key>}; optionally
 *       {@code "node_id":N}, the node the key is registered as: the relay looks it up once and, if the
 *       registry holds that key for it, serves the login in full without the provisional step</li>
 *   <li>relay → Worker {@code {"type":"auth_ok","endpoint":"<ip:port>"}}: the UDP endpoint the relay opened
 *       for this Worker alone; anything else closes the connection</li>
 * </ol>
 * A key the relay does not know yet (not in its {@code --allow-keys} list, not seen registered) is served
 * provisionally: until the registry answers its {@code register} with {@code register_ok} it may send only
 * that register, its frames are dropped, and it must finish within the login time. A newer login with the
 * same key closes the older connection (1000). A Worker that forwards no Pilot frame either way for the idle
 * time is closed (1001); text and pings do not count. Close codes: 1008 policy, 1009 message too big,
 * 1013 a limit was reached (try again later).
 * Then:
 * <ul>
 *   <li>binary message = {@code ipLen(1) ‖ ip ‖ port(2) ‖ tunnel frame}: outbound, the destination;
 *       inbound, the source of a datagram that arrived at the Worker's endpoint (the layout of
 *       {@code pilot-core}'s transmit records);</li>
 *   <li>text {@code {"type":"registry","id":N,"request":{...}}}: a registry request (spec I.1), already
 *       signed by the Worker where the protocol needs it; answered by
 *       {@code {"type":"registry_reply","id":N,"reply":{...}}}. The relay checks that a register carries
 *       the authenticated key and the Worker's own endpoint, and never signs anything itself.</li>
 * </ul>
 *
 * <p>Dial-in (so a Worker's Durable Object can hibernate: it holds only a connection it accepted):
 * <ol>
 *   <li>on a logged-in outbound connection, Worker → relay {@code {"type":"dial_in","url":"http(s)://…",
 *       "heartbeat":{"node_id":N,"signature":"<b64 over heartbeat:N>"}}} ({@code heartbeat} optional);
 *       relay → Worker {@code {"type":"dial_in_ok","relay_key":"<b64 Ed25519>"}} or
 *       {@code {"type":"dial_in_error","error":"…"}}. Only URLs under the operator's {@code --dial-in-allow}
 *       prefixes are dialled.</li>
 *   <li>the relay dials the URL (http→ws, https→wss) with subprotocol {@value #DIAL_SUBPROTOCOL}; the Worker
 *       sends {@code {"type":"relay_challenge","nonce":"<32 lowercase hex>"}}, the relay answers
 *       {@code {"type":"relay_proof","relay_key":"<b64>","sig":"<b64>"}} over {@link #dialChallenge}, then the
 *       login above runs with the roles unchanged (auth_challenge from the relay) and must prove the key
 *       that asked; {@code auth_ok} names the same endpoint.</li>
 *   <li>{@code {"type":"dial_in_cancel"}} on either connection forgets the dial-in and frees the endpoint.
 *       A dialled connection is never closed for idleness; WebSocket pings (and the text {@code ping},
 *       answered {@code pong}) find dead ones, which are redialled while the endpoint stays parked.</li>
 * </ol>
 */
public final class RelayProtocol {
    public static final String SUBPROTOCOL = "pilot-relay.v1";
    public static final String PATH = "/v1/relay";
    /** Subprotocol the relay offers when it dials into a Worker. */
    public static final String DIAL_SUBPROTOCOL = "pilot-relay-in.v1";
    /** Largest binary message: a maximal tunnel frame plus the address header. */
    public static final int MAX_BINARY = 65_535 + 36 + 19;

    private RelayProtocol() {
    }

    public static String challenge(String nonceHex, String publicKeyBase64) {
        return "pilot_relay_auth:" + nonceHex + ":" + publicKeyBase64;
    }

    public static byte[] challengeBytes(String nonceHex, String publicKeyBase64) {
        return challenge(nonceHex, publicKeyBase64).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * What the relay signs to prove its key to a Worker it dialled: {@code pilot_relay_dial:<nonce>:<worker key b64>}.
     * The one place this text is built (branch edge moves the challenge texts into core-logic).
     */
    public static byte[] dialChallenge(String nonceHex, String workerPublicKeyBase64) {
        return ("pilot_relay_dial:" + nonceHex + ":" + workerPublicKeyBase64).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code ipLen ‖ ip ‖ port ‖ frame}. */
    public static byte[] pack(InetSocketAddress a, byte[] frame, int off, int len) {
        byte[] ip = a.getAddress().getAddress();
        byte[] out = new byte[1 + ip.length + 2 + len];
        out[0] = (byte) ip.length;
        System.arraycopy(ip, 0, out, 1, ip.length);
        Bytes.put16(out, 1 + ip.length, a.getPort());
        System.arraycopy(frame, off, out, 3 + ip.length, len);
        return out;
    }

    /** Header length of a packed message, or -1 when malformed (bad ip length, too short). */
    public static int headerLength(byte[] msg) {
        if (msg.length < 1 || (msg[0] != 4 && msg[0] != 16)) {
            return -1;
        }
        int h = 1 + msg[0] + 2;
        return msg.length >= h ? h : -1;
    }
}
