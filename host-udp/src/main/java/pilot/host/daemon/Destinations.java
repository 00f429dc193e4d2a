package pilot.host.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import pilot.core.addr.Endpoint;

/**
 * Socket addresses of the endpoints the node sends to, so a datagram costs a map look-up instead of an
 * InetAddress and an InetSocketAddress. At most {@link #MAX} entries (the core may answer unverified
 * sources); emptied when full. Event-loop thread only.
 */
final class Destinations {
    static final int MAX = 1024;
    private final Map<Endpoint, InetSocketAddress> byEndpoint = new HashMap<>();

    InetSocketAddress of(Endpoint e) throws UnknownHostException {
        InetSocketAddress a = byEndpoint.get(e);
        if (a == null) {
            if (byEndpoint.size() >= MAX) {
                byEndpoint.clear();
            }
            a = new InetSocketAddress(InetAddress.getByAddress(e.ip()), e.port());
            byEndpoint.put(e, a);
        }
        return a;
    }

    int size() {
        return byEndpoint.size();
    }
}
