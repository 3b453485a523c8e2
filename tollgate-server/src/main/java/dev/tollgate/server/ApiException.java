package dev.tollgate.server;

import org.jspecify.annotations.Nullable;

/** A request refused at the HTTP layer: a status, a stable code, a message, and the offending field if any. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final @Nullable String field;

    ApiException(int status, String code, String message, @Nullable String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static ApiException badRequest(String code, String message, @Nullable String field) {
        return new ApiException(400, code, message, field);
    }
}
