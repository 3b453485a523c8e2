package dev.tollgate.core.store;

import java.util.Set;

/**
 * A commit was refused because this node no longer owns some of the batch's customers at the epoch it acquired them
 * ({@link Ownership}): another node took them over. Nothing of the batch was stored; the journal then commits the
 * batch's other commands without the fenced ones.
 */
public class FencedException extends RecordRefusedException {
    private static final long serialVersionUID = 1L;

    /** The customers this node lost; immutable. */
    private final Set<String> customers;

    /**
     * @param customers the customers this node no longer owns
     */
    public FencedException(Set<String> customers) {
        super("this node no longer owns " + customers + ": another node took them over");
        this.customers = Set.copyOf(customers);
    }

    /** The customers this node no longer owns. */
    public Set<String> customers() {
        return customers;
    }
}
