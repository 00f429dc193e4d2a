package pilot.host.relay;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.DatagramChannel;
import java.util.Map;

/**
 * One Worker identity the relay dials into (the dial-in protocol in {@link RelayProtocol}). Its UDP endpoint
 * outlives each dialled connection: while no connection is logged in the endpoint is parked and frames for it
 * are held by {@link #policy}. Mutable fields are guarded by this object's lock.
 */
final class DialIn {
    final RelayPolicy.Key key;
    final String keyBase64;
    final URI uri;
    /** {@code {"type":"heartbeat","node_id":n,"signature":s}} to repeat to the registry, or null. */
    final Map<String, Object> heartbeat;
    final DatagramChannel udp;
    final InetSocketAddress endpoint;
    final WorkerPolicy worker;
    final DialInPolicy policy;
    /** The outbound login that asked, while it is open. */
    RelayServer.Session outbound;
    /** The dialled connection: dialling, logging in or logged in; null while parked. */
    RelayServer.Session dialled;
    /** The node id the outbound login registered as (0: not known), handed to each dialled login. */
    int nodeId;
    boolean forgotten;

    DialIn(RelayPolicy.Key key, String keyBase64, URI uri, Map<String, Object> heartbeat, DatagramChannel udp,
           InetSocketAddress endpoint, WorkerPolicy worker, DialInPolicy policy) {
        this.key = key;
        this.keyBase64 = keyBase64;
        this.uri = uri;
        this.heartbeat = heartbeat;
        this.udp = udp;
        this.endpoint = endpoint;
        this.worker = worker;
        this.policy = policy;
    }

    /** Where a datagram for the endpoint goes now: the logged-in dialled connection, else the outbound one, else null. */
    RelayServer.Session live() {
        if (dialled != null && dialled.state == RelayServer.State.READY && dialled.ws.isOpen()) {
            return dialled;
        }
        if (outbound != null && outbound.state == RelayServer.State.READY && outbound.ws.isOpen()) {
            return outbound;
        }
        return null;
    }
}
