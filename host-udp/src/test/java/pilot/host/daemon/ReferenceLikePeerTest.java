package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.core.stream.CloseMode;
import pilot.core.stream.ReplyPolicy;
import pilot.host.registry.RegistryServer;

/**
 * Our host against a peer that closes both directions on a FIN and blocks its loop on a full receive
 * queue ({@link RefLikeEchoHost}), over real UDP on loopback: the request/reply close returns every
 * byte, a half-close loses the tail, a reset mid-reply is an error.
 */
class ReferenceLikePeerTest {
    @TempDir
    Path dir;

    /** Writes on another thread; returns what was read to the end, or throws what the read threw. */
    byte[] exchange(HostDaemon us, RefLikeEchoHost ref, int port, byte[] data, CloseMode mode) throws Exception {
        HostStream s = us.open(ref.daemon().address(), port).get(10, TimeUnit.SECONDS);
        s.setReadTimeout(10_000);
        if (mode == CloseMode.AFTER_REPLY) {
            s.expectReply(ReplyPolicy.echo());
        }
        CompletableFuture.runAsync(() -> {
            try {
                s.write(data);
                s.close(mode);
            } catch (IOException e) {
                // the read below reports how the stream ended
            }
        });
        try (InputStream in = s.input()) {
            return in.readAllBytes();
        }
    }

    @Test
    void echoThroughAReferenceLikePeer() throws Exception {
        try (RegistryServer registry = new RegistryServer(new InetSocketAddress("127.0.0.1", 0), new BouncyCastleSuite(), null);
             RefLikeEchoHost ref = new RefLikeEchoHost(dir.resolve("ref.json"), registry.address());
             HostDaemon us = HostDaemon.start(HostConfig.loopback(dir.resolve("us.json"), registry.address()))) {
            byte[] data = new SeededEntropy(3).bytes(3 << 20);
            assertArrayEquals(data, exchange(us, ref, 7, data, CloseMode.AFTER_REPLY), "every byte of 3 MiB echoed");
            assertEquals(0, ref.loopBlocks.get(), "paced to the echo: the peer's receive queue never filled");

            byte[] small = java.util.Arrays.copyOf(data, 256 * 1024); // fits its queue: no flood, just the FIN
            byte[] half = exchange(us, ref, 7, small, CloseMode.HALF);
            assertTrue(half.length < small.length, "a half-close loses the echo's tail at such a peer: " + half.length);

            IOException reset = assertThrows(IOException.class,
                    () -> exchange(us, ref, RefLikeEchoHost.RESET_PORT, data, CloseMode.AFTER_REPLY));
            assertTrue(reset.getMessage().contains("STREAM_RESET") || reset.getMessage().contains("REPLY_INCOMPLETE"),
                    reset.getMessage());
        }
    }
}
