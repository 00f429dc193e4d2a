package pilot.core.frame;

/** One decoded tunnel frame; {@link FrameCodec#decode} produces these, {@link #encode()} writes them back. */
public sealed interface TunnelFrame permits PlainFrame, SealedFrame, AuthKeyFrame, AnonKeyFrame, PunchFrame, BeaconFrame {
    FrameKind kind();

    /** The exact datagram bytes of this frame. */
    byte[] encode();
}
