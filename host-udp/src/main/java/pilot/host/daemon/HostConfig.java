package pilot.host.daemon;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import pilot.core.envelope.WireProfile;

/**
 * How to run a host peer.
 *
 * @param bind      UDP address to listen on (port 0 = any free port)
 * @param identity  identity file (created on first use)
 * @param registry  registry TCP address, or null to run with pinned peers only
 * @param profile   wire profile for peers without a pinned one
 * @param echo      serve port 7 by echoing (like the reference daemon)
 * @param jceCrypto AES-GCM from the JDK (hardware-accelerated) instead of Bouncy Castle
 * @param peers     peers known without a registry
 * @param heartbeatMillis how often the host proves to the registry that it is alive (spec I.1: 30 s)
 */
public record HostConfig(InetSocketAddress bind, Path identity, InetSocketAddress registry, WireProfile profile,
                         boolean echo, boolean jceCrypto, List<StaticPeer> peers, long heartbeatMillis) {
    /** The reference daemon's keepalive interval. */
    public static final long DEFAULT_HEARTBEAT_MILLIS = 30_000;

    public HostConfig {
        if (heartbeatMillis < 1) {
            throw new IllegalArgumentException("heartbeat interval must be positive: " + heartbeatMillis);
        }
    }

    public HostConfig(InetSocketAddress bind, Path identity, InetSocketAddress registry, WireProfile profile,
                      boolean echo, boolean jceCrypto, List<StaticPeer> peers) {
        this(bind, identity, registry, profile, echo, jceCrypto, peers, DEFAULT_HEARTBEAT_MILLIS);
    }

    /** A peer given on the command line: node id, endpoint and Ed25519 key (and optionally its profile). */
    public record StaticPeer(int node, InetSocketAddress endpoint, byte[] ed25519, WireProfile profile) {
    }

    public static HostConfig loopback(Path identity, InetSocketAddress registry) {
        return new HostConfig(new InetSocketAddress("127.0.0.1", 0), identity, registry, WireProfile.MODERN, true, true, List.of());
    }

    public HostConfig withPeers(List<StaticPeer> p) {
        return new HostConfig(bind, identity, registry, profile, echo, jceCrypto, p, heartbeatMillis);
    }

    public HostConfig withBind(InetSocketAddress b) {
        return new HostConfig(b, identity, registry, profile, echo, jceCrypto, peers, heartbeatMillis);
    }

    public HostConfig withProfile(WireProfile p) {
        return new HostConfig(bind, identity, registry, p, echo, jceCrypto, peers, heartbeatMillis);
    }

    public HostConfig withHeartbeatMillis(long millis) {
        return new HostConfig(bind, identity, registry, profile, echo, jceCrypto, peers, millis);
    }
}
