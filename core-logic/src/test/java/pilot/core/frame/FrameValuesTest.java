package pilot.core.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import pilot.core.ErrorCode;
import pilot.core.wire.PacketCodec;

/**
 * The frame values of spec C: a frame can only be built with fields of the sizes the wire carries, two
 * frames are equal exactly when every field is, and decoders refuse buffer bounds outside the array.
 */
class FrameValuesTest {
    static byte[] b(int n, int fill) {
        byte[] x = new byte[n];
        java.util.Arrays.fill(x, (byte) fill);
        return x;
    }

    @Test
    void aPilaNeeds32ByteKeysAndA64ByteSignature() {
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, null, b(32, 0), b(64, 0), null));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, b(31, 0), b(32, 0), b(64, 0), null));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, b(32, 0), null, b(64, 0), null));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, b(32, 0), b(33, 0), b(64, 0), null));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, b(32, 0), b(32, 0), null, null));
        assertThrows(IllegalArgumentException.class, () -> new AuthKeyFrame(1, b(32, 0), b(32, 0), b(63, 0), null));
        assertEquals(PilaTrailer.NONE, new AuthKeyFrame(1, b(32, 0), b(32, 0), b(64, 0), null).trailer(), "no trailer is NONE");
    }

    @Test
    void pilasAreEqualExactlyWhenEveryFieldIs() {
        AuthKeyFrame f = new AuthKeyFrame(1, b(32, 1), b(32, 2), b(64, 3), PilaTrailer.NONE);
        assertEquals(f, new AuthKeyFrame(1, b(32, 1), b(32, 2), b(64, 3), null));
        assertEquals(f.hashCode(), new AuthKeyFrame(1, b(32, 1), b(32, 2), b(64, 3), null).hashCode());
        assertNotEquals(f, new AuthKeyFrame(2, b(32, 1), b(32, 2), b(64, 3), null));
        assertNotEquals(f, new AuthKeyFrame(1, b(32, 9), b(32, 2), b(64, 3), null));
        assertNotEquals(f, new AuthKeyFrame(1, b(32, 1), b(32, 9), b(64, 3), null));
        assertNotEquals(f, new AuthKeyFrame(1, b(32, 1), b(32, 2), b(64, 9), null));
        assertNotEquals(f, new AuthKeyFrame(1, b(32, 1), b(32, 2), b(64, 3), new PilaTrailer(PilaTrailer.CAP_GOSSIP, 0)));
        assertNotEquals(f, (Object) "PILA");
    }

    @Test
    void aSealedFrameNeedsA12ByteNonceAndRoomForTheTag() {
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, null, b(16, 0)));
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, b(11, 0), b(16, 0)));
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, b(12, 0), null));
        assertThrows(IllegalArgumentException.class, () -> new SealedFrame(1, b(12, 0), b(15, 0)));
        SealedFrame f = new SealedFrame(1, b(12, 1), b(16, 2));
        assertEquals(f, new SealedFrame(1, b(12, 1), b(16, 2)));
        assertNotEquals(f, new SealedFrame(2, b(12, 1), b(16, 2)));
        assertNotEquals(f, new SealedFrame(1, b(12, 9), b(16, 2)));
        assertNotEquals(f, new SealedFrame(1, b(12, 1), b(16, 9)));
        assertNotEquals(f, (Object) "PILS");
    }

    @Test
    void anAnonymousKeyFrameNeedsA32ByteKey() {
        assertThrows(IllegalArgumentException.class, () -> new AnonKeyFrame(1, null));
        assertThrows(IllegalArgumentException.class, () -> new AnonKeyFrame(1, b(31, 0)));
        AnonKeyFrame f = new AnonKeyFrame(1, b(32, 1));
        assertEquals(f, new AnonKeyFrame(1, b(32, 1)));
        assertEquals(f.hashCode(), new AnonKeyFrame(1, b(32, 1)).hashCode());
        assertNotEquals(f, new AnonKeyFrame(2, b(32, 1)));
        assertNotEquals(f, new AnonKeyFrame(1, b(32, 2)));
        assertNotEquals(f, (Object) "PILK");
    }

    @Test
    void aBeaconFrameHasACodeBelowTheLimitAndABody() {
        assertThrows(IllegalArgumentException.class, () -> new BeaconFrame(-1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new BeaconFrame(Magic.BEACON_LIMIT, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new BeaconFrame(BeaconFrame.SYNC, null));
        BeaconFrame f = new BeaconFrame(BeaconFrame.DISCOVER, b(3, 1));
        assertEquals(f, new BeaconFrame(BeaconFrame.DISCOVER, b(3, 1)));
        assertEquals(f.hashCode(), new BeaconFrame(BeaconFrame.DISCOVER, b(3, 1)).hashCode());
        assertNotEquals(f, new BeaconFrame(BeaconFrame.RELAY, b(3, 1)));
        assertNotEquals(f, new BeaconFrame(BeaconFrame.DISCOVER, b(3, 2)));
        assertNotEquals(f, (Object) "beacon");
    }

    @Test
    void decodersRefuseBoundsOutsideTheBuffer() {
        byte[] buf = new byte[64];
        for (int[] bad : new int[][] {{-1, 4}, {0, -1}, {60, 8}}) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decode(buf, bad[0], bad[1]).error());
            assertEquals(ErrorCode.INVALID_ARGUMENT, PacketCodec.decode(buf, bad[0], bad[1]).error());
        }
        assertEquals(ErrorCode.INVALID_ARGUMENT, FrameCodec.decode(null, 0, 0).error());
        assertEquals(ErrorCode.INVALID_ARGUMENT, PacketCodec.decode(null, 0, 0).error());
    }
}
