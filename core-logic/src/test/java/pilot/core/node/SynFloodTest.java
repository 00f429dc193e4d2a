package pilot.core.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;

/**
 * A peer with a real session floods a listening port with SYNs (the probe of Nov 30: 400 SYN/s from one
 * session kept every honest stream out): an honest peer's streams still open, and the SYNs the node refuses
 * show in its drop counters as its other refusals do.
 */
class SynFloodTest {
    @Test
    void anHonestPeersStreamsOpenBesideASynFloodAndTheRefusedSynsAreCounted() {
        Net net = new Net();
        PilotNode victim = net.add(NodeConfig.DEFAULTS);
        PilotNode honest = net.add(NodeConfig.DEFAULTS);
        PilotNode hostile = net.add(NodeConfig.DEFAULTS);
        victim.listen(7);
        hostile.ping(victim.address(), net.now); // the hostile peer gets a real session first
        honest.ping(victim.address(), net.now);
        net.run(500);
        int dialled = 0;
        for (int round = 0; round < 300; round++) { // 3 s
            for (int i = 0; i < 4; i++) {
                hostile.openStream(victim.address(), 7, net.now); // 400 SYN/s
            }
            if (round % 20 == 0) { // 5 SYN/s
                assertTrue(honest.openStream(victim.address(), 7, net.now).isOk());
                dialled++;
            }
            net.run(10);
        }
        net.run(500);
        assertEquals(dialled, net.eventsOf(1, NodeEvent.StreamOpened.class).size(), "every honest stream opened at once");
        assertTrue(victim.droppedCount(ErrorCode.RATE_LIMITED) > 1_000,
                "the flood's SYNs are counted: " + victim.droppedCount(ErrorCode.RATE_LIMITED));
    }
}
