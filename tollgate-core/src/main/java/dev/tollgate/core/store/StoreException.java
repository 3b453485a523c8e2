package dev.tollgate.core.store;

/** The store could not do what was asked; nothing was half-done. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying error, or {@code null}
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what failed
     */
    public StoreException(String message) {
        super(message);
    }
}
