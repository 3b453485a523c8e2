package dev.tollgate.core.customer;

/**
 * A pinned add-on version bought in a quantity.
 *
 * @param key the add-on key
 * @param version the add-on version bought
 * @param quantity how many, at least 1
 */
public record AddonRef(String key, int version, int quantity) {
    public AddonRef {
        if (quantity < 1) {
            throw new IllegalArgumentException("add-on quantity must be >= 1, was " + quantity);
        }
    }
}
