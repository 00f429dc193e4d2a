package pilot.host.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pilot.core.ErrorCode;
import pilot.core.addr.Ports;
import pilot.core.crypto.BouncyCastleSuite;
import pilot.core.crypto.SeededEntropy;
import pilot.host.identity.Identity;

/**
 * The probe of Nov 30 against running hosts on 127.0.0.1: a peer with a real session sends 400 stream SYNs a
 * second to the echo port. Before, its refused SYNs spent the node-wide 100/s and an honest stream got no
 * answer within 3 s; now each honest stream opens and echoes within 3 s, and the host counts the flood's SYNs.
 */
class SynFloodHostTest {
    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    static InetSocketAddress freePort() throws Exception {
        try (DatagramChannel reserve = DatagramChannel.open()) {
            reserve.bind(new InetSocketAddress("127.0.0.1", 0));
            return (InetSocketAddress) reserve.getLocalAddress();
        }
    }

    @Test
    void anHonestStreamOpensWithinThreeSecondsWhileASessionFloodsTheEchoPortWithSyns() throws Exception {
        BouncyCastleSuite suite = new BouncyCastleSuite();
        Identity iv = Identity.generate(suite, new SeededEntropy(31)).withNode(0x300, 0);
        Identity ih = Identity.generate(suite, new SeededEntropy(32)).withNode(0x400, 0);
        Identity ia = Identity.generate(suite, new SeededEntropy(33)).withNode(0x500, 0);
        iv.save(dir.resolve("v.json"));
        ih.save(dir.resolve("h.json"));
        ia.save(dir.resolve("a.json"));
        InetSocketAddress hAt = freePort();
        InetSocketAddress aAt = freePort();
        HostDaemon victim = keep(HostDaemon.start(HostConfig.loopback(dir.resolve("v.json"), null).withPeers(List.of(
                new HostConfig.StaticPeer(0x400, hAt, ih.publicKey(), null),
                new HostConfig.StaticPeer(0x500, aAt, ia.publicKey(), null)))));
        List<HostConfig.StaticPeer> toVictim = List.of(new HostConfig.StaticPeer(0x300, victim.localEndpoint(), iv.publicKey(), null));
        HostDaemon hostile = keep(HostDaemon.start(HostConfig.loopback(dir.resolve("h.json"), null).withBind(hAt).withPeers(toVictim)));
        HostDaemon honest = keep(HostDaemon.start(HostConfig.loopback(dir.resolve("a.json"), null).withBind(aAt).withPeers(toVictim)));
        assertTrue(hostile.ping(victim.address()).get(10, TimeUnit.SECONDS) >= 0, "the hostile peer has a real session");
        assertTrue(honest.ping(victim.address()).get(10, TimeUnit.SECONDS) >= 0);

        AtomicBoolean flooding = new AtomicBoolean(true);
        Thread flood = new Thread(() -> {
            while (flooding.get()) {
                for (int i = 0; i < 4; i++) {
                    hostile.open(victim.address(), Ports.ECHO); // 400 SYN/s, never used (its retransmissions add more)
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "syn-flood");
        flood.setDaemon(true);
        flood.start();
        try {
            Thread.sleep(1000); // the flood is in full swing
            for (int i = 0; i < 6; i++) {
                HostStream s = honest.open(victim.address(), Ports.ECHO).get(3, TimeUnit.SECONDS); // the probe's `ping --stream` wait
                byte[] hello = ("hello " + i).getBytes();
                s.write(hello);
                byte[] back = s.input().readNBytes(hello.length);
                assertArrayEquals(hello, back, "echoed through the flood");
                s.close();
                Thread.sleep(300);
            }
        } finally {
            flooding.set(false);
            flood.join(2000);
        }
        long rateLimited = victim.snapshot().get(5, TimeUnit.SECONDS).drops().getOrDefault(ErrorCode.RATE_LIMITED, 0L);
        assertTrue(rateLimited > 500, "the flood's SYNs are counted as the host's other drops: " + rateLimited);
    }
}
