package dev.tollgate.server.http;

import org.jspecify.annotations.Nullable;

/**
 * A request refused at the HTTP layer: a status, a stable code, a message, and the offending field if any. The API
 * answers it as {@link Response#errorBody}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final @Nullable String field;

    public ApiException(int status, String code, String message, @Nullable String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** A {@code 400} refusal. */
    public static ApiException badRequest(String code, String message, @Nullable String field) {
        return new ApiException(400, code, message, field);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The stable code ({@code docs/reference/errors.md}). */
    public String code() {
        return code;
    }

    /** The request field at fault, or {@code null}. */
    public @Nullable String field() {
        return field;
    }
}
