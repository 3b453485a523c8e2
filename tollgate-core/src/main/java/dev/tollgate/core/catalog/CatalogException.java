package dev.tollgate.core.catalog;

import java.util.List;

/** A catalog document was refused; {@link #errors()} lists every problem found, each located. */
public final class CatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<CatalogError> errors;

    /**
     * @param errors at least one error
     */
    public CatalogException(List<CatalogError> errors) {
        super(errors.size() + " catalog error(s): " + errors);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a catalog exception needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in document order. */
    public List<CatalogError> errors() {
        return errors;
    }
}
