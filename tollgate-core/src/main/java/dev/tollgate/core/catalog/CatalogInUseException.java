package dev.tollgate.core.catalog;

import java.util.List;

/**
 * A catalog was refused because it removes a plan, add-on, feature or currency that customers still use; nothing was
 * published. The message names each conflict with its customers' count and the first few of them.
 */
public final class CatalogInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<CatalogInUse.Conflict> conflicts;
    private final int customers;

    /**
     * @param conflicts at least one conflict
     * @param customers how many distinct customers they concern
     */
    public CatalogInUseException(List<CatalogInUse.Conflict> conflicts, int customers) {
        super(message(conflicts, customers));
        this.conflicts = List.copyOf(conflicts);
        this.customers = customers;
    }

    private static String message(List<CatalogInUse.Conflict> conflicts, int customers) {
        if (conflicts.isEmpty()) {
            throw new IllegalArgumentException("a catalog-in-use refusal needs at least one conflict");
        }
        StringBuilder sb = new StringBuilder("the catalog removes what ")
                .append(customers(customers))
                .append(customers == 1 ? " still uses: " : " still use: ");
        for (int i = 0; i < conflicts.size(); i++) {
            CatalogInUse.Conflict c = conflicts.get(i);
            sb.append(i == 0 ? "" : "; ")
                    .append(c.kind().label())
                    .append(" '")
                    .append(c.key())
                    .append("' (")
                    .append(customers(c.customers()))
                    .append(": ")
                    .append(String.join(", ", c.first()))
                    .append(c.customers() > c.first().size() ? ", ...)" : ")");
        }
        return sb.toString();
    }

    private static String customers(int n) {
        return n + (n == 1 ? " customer" : " customers");
    }

    /** Every conflict, by kind and key. */
    public List<CatalogInUse.Conflict> conflicts() {
        return conflicts;
    }

    /** How many distinct customers use something the catalog removes. */
    public int customers() {
        return customers;
    }
}
