package dev.tollgate.client;

/**
 * The server could not be reached or could not answer: connection refused or reset, the configured timeout, or a
 * {@code 5xx} ({@code STORE_UNAVAILABLE}, {@code COMMIT_IN_DOUBT}, ...). Code {@code UNREACHABLE} when no answer came.
 * A write that failed so may or may not have been applied: repeat it with the same idempotency key.
 */
public class TollgateUnavailableException extends TollgateClientException {
    private static final long serialVersionUID = 1L;

    /** @see TollgateClientException#TollgateClientException(String, int, String, String) */
    public TollgateUnavailableException(String code, int httpStatus, String message) {
        super(code, httpStatus, null, message);
    }
}
