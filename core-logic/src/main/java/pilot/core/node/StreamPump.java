package pilot.core.node;

import pilot.core.stream.StreamOutput;
import pilot.core.stream.StreamTable;

/**
 * Drains the stream layer's output after every call into it, in the order it arose: packets go to
 * {@link PeerLinks}, signals to the application; echo streams are served inside the node (spec H.3).
 */
final class StreamPump {
    private final StreamTable streams;
    private final EchoService echo;
    private final PeerLinks links;
    private final NodeOutbox out;
    private final int sendBufferBytes;

    StreamPump(StreamTable streams, EchoService echo, PeerLinks links, NodeOutbox out, int sendBufferBytes) {
        this.streams = streams;
        this.echo = echo;
        this.links = links;
        this.out = out;
        this.sendBufferBytes = sendBufferBytes;
    }

    void drain(long now) {
        for (StreamOutput o = streams.poll(); o != null; o = streams.poll()) {
            if (o instanceof StreamOutput.Send s) {
                links.send(s.packet(), 0, now);
            } else if (o instanceof StreamOutput.Opened x) {
                out.event(new NodeEvent.StreamOpened(x.stream()));
            } else if (o instanceof StreamOutput.Accepted x) {
                if (!echo.claim(x.stream(), x.localPort())) {
                    out.event(new NodeEvent.StreamAccepted(x.stream(), x.remote(), x.localPort(), x.remotePort()));
                }
            } else if (o instanceof StreamOutput.Readable x) {
                signal(x.stream(), new NodeEvent.StreamReadable(x.stream()));
            } else if (o instanceof StreamOutput.Writable x) {
                signal(x.stream(), new NodeEvent.StreamWritable(x.stream()));
            } else if (o instanceof StreamOutput.Dropped x) {
                out.drop(x.reason());
            } else {
                StreamOutput.Closed x = (StreamOutput.Closed) o; // the sealed interface's last kind
                if (!echo.closed(x.stream())) {
                    out.event(new NodeEvent.StreamClosed(x.stream(), x.reason()));
                }
            }
        }
    }

    /** Serves the echo streams that are due until none is: serving one drains its output, which may make it due again. */
    void serveEcho(long now) {
        do {
            echo.service(streams, sendBufferBytes, now);
            drain(now);
        } while (echo.hasDue());
    }

    /** Echo streams are served inside the node; every other stream's signal goes to the application. */
    private void signal(int stream, NodeEvent e) {
        if (!echo.signal(stream)) {
            out.event(e);
        }
    }
}
