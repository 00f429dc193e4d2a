/**
 * Embedding a Pilot peer in a JVM application.
 *
 * <p>{@link pilot.host.daemon.HostDaemon#start HostDaemon.start(HostConfig)} binds a UDP socket, loads
 * (or creates) the identity file, registers with the registry and runs the peer's event loop on a thread
 * of its own; {@link pilot.host.daemon.HostDaemon#close close()} lingers until our last data is
 * acknowledged (at most a second) and stops it. Everything else is asynchronous and thread-safe:
 * <ul>
 *   <li>{@link pilot.host.daemon.HostDaemon#ping ping(address)}: the round trip in ms;</li>
 *   <li>{@link pilot.host.daemon.HostDaemon#open open(address, port)} and
 *       {@link pilot.host.daemon.HostDaemon#listen listen(port, onAccept)}: reliable streams, used through
 *       {@link pilot.host.daemon.HostStream}'s blocking input and output streams;</li>
 *   <li>{@link pilot.host.daemon.HostDaemon#sendDatagram sendDatagram} and
 *       {@link pilot.host.daemon.HostDaemon#onDatagram onDatagram(port, handler)}: unreliable datagrams;</li>
 *   <li>{@link pilot.host.daemon.HostDaemon#onEvent onEvent(listener)}: every event of the node (sessions,
 *       unreachable peers, streams, datagrams, pongs);</li>
 *   <li>{@link pilot.host.daemon.HostDaemon#snapshot snapshot()}: the node's counters
 *       ({@link pilot.host.daemon.HostStats}), which {@code pilot.host.metrics} exposes to Prometheus.</li>
 * </ul>
 * Futures fail with an {@link java.io.IOException} that says why (no session, refused, unreachable);
 * callbacks run on the event loop and must return quickly. {@link pilot.host.daemon.HostConfig#loopback}
 * is the configuration for tests and examples; the README shows a complete example, which the build
 * compiles and runs ({@code EmbeddingExampleTest}).
 */
package pilot.host.daemon;
