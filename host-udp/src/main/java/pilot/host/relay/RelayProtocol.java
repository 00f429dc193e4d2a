package pilot.host.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import pilot.core.addr.Endpoint;
import pilot.core.stream.StreamConfig;
import pilot.core.edge.RelayBatch;
import pilot.core.edge.RelayMessage;
import pilot.core.edge.SignedTexts;

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
 *   <li>relay → Worker {@code {"type":"auth_ok","endpoint":"<ip:port>","stream_mss":N}}: the UDP endpoint the
 *       relay opened for this Worker alone, and the largest stream segment the Worker should send through it
 *       ({@link #streamMssFor}; a Worker that ignores it sends 1024); anything else closes the connection</li>
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
 *   <li>a Worker whose {@code auth_reply} carried {@code "batch":true} (on an outbound or a dialled connection)
 *       may also receive a <em>batch</em>: {@code 0x00 ‖ (length(2) ‖ binary message)+}, at most
 *       {@link #MAX_BATCH_BYTES} in all ({@link RelayBatch}, the one definition, with vectors in edge.json),
 *       several inbound messages the relay read in one pass, in order (a message never starts with 0: its
 *       ipLen is 4 or 16). One that would not fit goes in the next message; one alone is sent as it is. To such
 *       a Worker {@code auth_ok} also says {@code "batch":true}: it may send batches the same way, each message
 *       inside forwarded as if it had come alone;</li>
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
    /** Largest binary message: a maximal tunnel frame plus the address header ({@link RelayMessage#MAX_BYTES}). */
    public static final int MAX_BINARY = RelayMessage.MAX_BYTES;

    /** Stream segment a Worker sends when its frames leave the relay onto a network (spec K: safe for every path). */
    public static final int NETWORK_STREAM_MSS = StreamConfig.DEFAULTS.mss();
    /**
     * Stream segment a Worker may send when the relay's UDP sockets are bound to a loopback address: their
     * datagrams then only reach peers on the relay's machine, where nothing fragments, as for a host bound to
     * loopback ({@code HostDaemon.LOOPBACK_MSS}, docs/SPEC-NOTES.md #25): one window unit, so the bytes in
     * flight and the window we advertise do not change, only the datagrams per byte (a quarter).
     */
    public static final int LOOPBACK_STREAM_MSS = StreamConfig.DEFAULTS.windowUnit();

    /** First byte of a batch of inbound messages ({@link RelayBatch#MARK}; a single message starts with its ipLen). */
    public static final int BATCH = RelayBatch.MARK;
    /** Largest batch the relay sends ({@link RelayBatch#MAX_BYTES}): 64 KiB, what one Worker event then carries at most. */
    public static final int MAX_BATCH_BYTES = RelayBatch.MAX_BYTES;

    private RelayProtocol() {
    }

    /** The {@code stream_mss} of {@code auth_ok} for a relay whose UDP sockets bind to {@code udpHost}. */
    public static int streamMssFor(InetAddress udpHost) {
        return udpHost.isLoopbackAddress() ? LOOPBACK_STREAM_MSS : NETWORK_STREAM_MSS;
    }

    /** What a Worker signs to log in ({@link SignedTexts#relayAuth}), as bytes. */
    public static byte[] challengeBytes(String nonceHex, String publicKeyBase64) {
        return SignedTexts.ascii(SignedTexts.relayAuth(nonceHex, publicKeyBase64));
    }

    /** What the relay signs to prove its key to a Worker it dialled ({@link SignedTexts#relayDial}), as bytes. */
    public static byte[] dialChallenge(String nonceHex, String workerPublicKeyBase64) {
        return SignedTexts.ascii(SignedTexts.relayDial(nonceHex, workerPublicKeyBase64));
    }

    /** {@code ipLen ‖ ip ‖ port ‖ frame} ({@link RelayMessage}) for a JVM socket address. */
    public static byte[] pack(InetSocketAddress a, byte[] frame, int off, int len) {
        return RelayMessage.encode(new Endpoint(a.getAddress().getAddress(), a.getPort()), frame, off, len);
    }

    /** Header length of a packed message, or -1 when malformed ({@link RelayMessage#decode}). */
    public static int headerLength(byte[] msg) {
        RelayMessage m = RelayMessage.decode(msg).valueOrNull();
        return m == null ? -1 : m.frameOffset();
    }
}
