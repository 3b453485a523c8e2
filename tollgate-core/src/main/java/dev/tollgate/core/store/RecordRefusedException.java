package dev.tollgate.core.store;

/**
 * The store refused a record of the batch by one of its constraints (a customer's idempotency key stored already, a
 * value it cannot hold), not because of a fault: nothing of the batch was stored, and the same batch would be refused
 * again. The journal then commits the batch's other commands without the offender.
 */
public class RecordRefusedException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused
     * @param cause the underlying error
     */
    public RecordRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what was refused
     */
    public RecordRefusedException(String message) {
        super(message);
    }
}
