package pilot.core;

/**
 * A value or a typed refusal. Decoders and protocol steps return this instead of throwing, so that
 * no input from the network can raise an exception across the public API (or the wasm boundary).
 */
public final class Result<T> {
    private final T value;
    private final ErrorCode error;
    private final String detail;

    private Result(T value, ErrorCode error, String detail) {
        this.value = value;
        this.error = error;
        this.detail = detail;
    }

    public static <T> Result<T> ok(T value) {
        return new Result<>(value, null, null);
    }

    public static <T> Result<T> fail(ErrorCode error, String detail) {
        if (error == null) {
            throw new IllegalArgumentException("error code required");
        }
        return new Result<>(null, error, detail);
    }

    /** Re-types a failure (the value slot is empty, so this is safe). */
    @SuppressWarnings("unchecked")
    public <U> Result<U> castFailure() {
        if (error == null) {
            throw new IllegalStateException("not a failure");
        }
        return (Result<U>) this;
    }

    public boolean isOk() {
        return error == null;
    }

    /** The value; calling this on a failure is a programming error. */
    public T value() {
        if (error != null) {
            throw new IllegalStateException("no value: " + error + " (" + detail + ")");
        }
        return value;
    }

    /** The value, or {@code null} on failure (for boundaries where null is the failure signal). */
    public T valueOrNull() {
        return value;
    }

    /** The error code, or {@code null} on success. */
    public ErrorCode error() {
        return error;
    }

    /** Human-readable reason for a failure, or {@code null}. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return error == null ? "ok(" + value + ")" : error + ": " + detail;
    }
}
