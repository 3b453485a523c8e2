package dev.tollgate.client;

import org.jspecify.annotations.Nullable;

/**
 * A request the server refused with an error ({@code 4xx}), or a client-side failure, with the stable error code:
 * {@code INVALID_QUANTITY}, {@code SESSION_NOT_FOUND}, {@code IDEMPOTENCY_KEY_REUSED}, ... (the server's codes, see
 * {@code docs/reference/errors.md}), or the SDK's own {@code SPOOL_FULL} and {@code CLOSED}.
 */
public class TollgateClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int httpStatus;
    private final @Nullable String field;

    /**
     * @param code the stable error code
     * @param httpStatus the HTTP status, or 0 when no answer came
     * @param field the path of the offending field, or {@code null}
     * @param message a human-readable message
     */
    public TollgateClientException(String code, int httpStatus, @Nullable String field, String message) {
        super(code + ": " + message);
        this.code = code;
        this.httpStatus = httpStatus;
        this.field = field;
    }

    /** The stable error code. Never {@code null}. */
    public String code() {
        return code;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The path of the offending field, or {@code null}. */
    public @Nullable String field() {
        return field;
    }
}
