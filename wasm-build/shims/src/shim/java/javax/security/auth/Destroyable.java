package javax.security.auth;

/** TeaVM's classlib lacks javax.security.auth, which Bouncy Castle key parameter classes implement. */
public interface Destroyable {
    default void destroy() throws DestroyFailedException {
        throw new DestroyFailedException();
    }

    default boolean isDestroyed() {
        return false;
    }
}
