package pilot.core.node;

import pilot.core.ErrorCode;
import pilot.core.addr.Address;
import pilot.core.edge.EventLayout;

/**
 * Flattens a {@link NodeEvent} into the wasm boundary's kind code plus fields ({@link EventLayout}): 0, or no
 * peer, where the kind has none; a ping's id goes in {@code stream}, its round trip in {@code value}. Used by
 * the boundary ({@code pilot.wasm.Layouts}) and by the simulation's trace hash, which hashes these numbers
 * so that its hashes read the same on every runtime; applications match on the records instead.
 */
public final class EventFields {
    private EventFields() {
    }

    public static EventLayout.Fields of(NodeEvent e) {
        int stream = 0;
        Address peer = null;
        int localPort = 0;
        int remotePort = 0;
        long value = 0;
        ErrorCode error = null;
        if (e instanceof NodeEvent.PeerUp x) {
            peer = x.peer();
        } else if (e instanceof NodeEvent.PeerNeeded x) {
            peer = x.peer();
        } else if (e instanceof NodeEvent.PeerUnreachable x) {
            peer = x.peer();
            error = x.error();
        } else if (e instanceof NodeEvent.StreamOpened x) {
            stream = x.stream();
        } else if (e instanceof NodeEvent.StreamAccepted x) {
            stream = x.stream();
            peer = x.peer();
            localPort = x.localPort();
            remotePort = x.remotePort();
        } else if (e instanceof NodeEvent.StreamReadable x) {
            stream = x.stream();
        } else if (e instanceof NodeEvent.StreamWritable x) {
            stream = x.stream();
        } else if (e instanceof NodeEvent.StreamClosed x) {
            stream = x.stream();
            error = x.error();
        } else if (e instanceof NodeEvent.Datagram x) {
            peer = x.peer();
            localPort = x.localPort();
            remotePort = x.remotePort();
        } else if (e instanceof NodeEvent.Pong x) {
            stream = x.ping();
            peer = x.peer();
            value = x.rttMillis();
        } else {
            NodeEvent.PingTimeout x = (NodeEvent.PingTimeout) e; // the sealed interface's last kind
            stream = x.ping();
            peer = x.peer();
            error = x.error();
        }
        boolean hasPeer = peer != null;
        return new EventLayout.Fields(e.kind().code(), stream, hasPeer, hasPeer ? peer.network() : 0,
                hasPeer ? peer.node() : 0, localPort, remotePort, value, error == null ? 0 : error.code());
    }

    /** The payload that follows the fields: a datagram's bytes (a copy), else null. */
    public static byte[] data(NodeEvent e) {
        return e instanceof NodeEvent.Datagram d ? d.data() : null;
    }

    /**
     * The same bytes without the copy, for a boundary that copies them out at once (the wasm facade writes them
     * straight into linear memory): the caller must not modify or keep the array. Null for other events.
     */
    public static byte[] dataUncopied(NodeEvent e) {
        return e instanceof NodeEvent.Datagram d ? d.shared() : null;
    }
}
