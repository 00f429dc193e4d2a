package pilot.host.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import pilot.core.envelope.WireProfile;

class InMemoryDemoTest {
    @Test
    void theDemoSucceedsInBothProfilesAndTellsWhatHappened() {
        for (WireProfile profile : WireProfile.values()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            boolean ok = new InMemoryDemo(new PrintStream(buf, true, StandardCharsets.UTF_8)).run(profile);
            String text = buf.toString(StandardCharsets.UTF_8);
            assertTrue(ok, text);
            assertTrue(text.contains("bob <- PILS #1 from alice: \"hello bob, this is alice\""), text);
            assertTrue(text.contains("bob refuses it: REPLAY"), text);
            assertTrue(text.contains("bob refuses it: AEAD_FAILED"), text);
            assertTrue(text.contains("\"welcome back, bob\""), text);
        }
    }
}
