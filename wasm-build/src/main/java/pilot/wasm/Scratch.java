package pilot.wasm;

/**
 * One byte array reused while the length asked for repeats, for an array the core reads during one call and
 * never keeps (issue 15, round six: each 1.2 KB array the module allocates per packet costs its allocation, its
 * zeroing and garbage collection; a burst of datagrams repeats one length). A new length replaces the array, so
 * it holds at most one array of the largest length a caller allows. A user that relies on the array's bytes past
 * what it writes staying zero must be the array's only writer (one instance per use, never shared).
 */
final class Scratch {
    private byte[] array = new byte[0];

    /** An array of exactly {@code len} bytes: the one from the last call when its length is the same. */
    byte[] of(int len) {
        if (array.length != len) {
            array = new byte[len];
        }
        return array;
    }
}
