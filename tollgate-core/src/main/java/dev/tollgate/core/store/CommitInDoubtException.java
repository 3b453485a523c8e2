package dev.tollgate.core.store;

/**
 * A commit failed in a way that leaves the store unable to say whether the batch was stored: the connection broke
 * after the commit was sent and the store could not be asked afterwards. The batch is either wholly stored or not at
 * all; a retry with the same idempotency key finds out which.
 */
public class CommitInDoubtException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause the underlying error
     */
    public CommitInDoubtException(String message, Throwable cause) {
        super(message, cause);
    }
}
