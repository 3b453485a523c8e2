package dev.tollgate.core.catalog;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a catalog about to be published against what customers use: a plan, add-on, feature or currency that the
 * next catalog no longer has but a customer still uses is a conflict, and any conflict refuses the whole catalog.
 *
 * <p>Usage: create one for the next catalog's definition, {@link #add} every customer's {@link CatalogUse}, then
 * {@link #check}. Memory stays bounded by the number of conflicting keys: per key it keeps a count and the
 * {@value #FIRST} smallest customer ids, so the answer does not depend on the order customers are added in.
 *
 * <p>Not thread-safe: one caller fills and reads it.
 */
public final class CatalogInUse {
    /** How many customers a conflict names. */
    public static final int FIRST = 5;

    /** What kind of catalog entry a conflict is about. */
    public enum Kind {
        PLAN("plan"),
        ADDON("add-on"),
        FEATURE("feature"),
        CURRENCY("currency");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The lower-case name used in messages and on the wire ({@code add-on}). */
        public String label() {
            return label;
        }
    }

    /**
     * One removed entry that customers still use.
     *
     * @param kind plan, add-on, feature or currency
     * @param key its key
     * @param customers how many customers use it
     * @param first the {@value #FIRST} smallest of their ids, in order
     */
    public record Conflict(Kind kind, String key, int customers, List<String> first) {
        public Conflict {
            first = List.copyOf(first);
        }
    }

    private final CatalogDefinition next;
    private final Map<Kind, Map<String, Users>> conflicts = new EnumMap<>(Kind.class);
    private final Set<String> customers = new HashSet<>();

    /**
     * @param next the definition of the catalog about to be published
     */
    public CatalogInUse(CatalogDefinition next) {
        this.next = next;
    }

    /**
     * Records what one customer uses; each customer is added once.
     *
     * @param customerId the customer
     * @param use what it uses
     */
    @SuppressWarnings("ShortCircuitBoolean") // every kind's conflicts are recorded, so all four calls run
    public void add(String customerId, CatalogUse use) {
        boolean conflicting = missing(Kind.PLAN, use.plans(), next.plans().keySet(), customerId)
                | missing(Kind.ADDON, use.addons(), next.addons().keySet(), customerId)
                | missing(Kind.FEATURE, use.features(), next.features().keySet(), customerId)
                | missing(Kind.CURRENCY, use.currencies(), next.currencies().keySet(), customerId);
        if (conflicting) {
            customers.add(customerId);
        }
    }

    private boolean missing(Kind kind, Set<String> used, Set<String> kept, String customerId) {
        boolean any = false;
        for (String key : used) {
            if (!kept.contains(key)) {
                conflicts
                        .computeIfAbsent(kind, k -> new TreeMap<>())
                        .computeIfAbsent(key, k -> new Users())
                        .add(customerId);
                any = true;
            }
        }
        return any;
    }

    /** Every conflict, by kind (plans, add-ons, features, currencies) and then key. */
    public List<Conflict> conflicts() {
        List<Conflict> out = new ArrayList<>();
        conflicts.forEach((kind, byKey) ->
                byKey.forEach((key, users) -> out.add(new Conflict(kind, key, users.count, List.copyOf(users.first)))));
        return out;
    }

    /** How many distinct customers use something the next catalog removes. */
    public int customers() {
        return customers.size();
    }

    /**
     * Refuses the next catalog if anything it removes is in use.
     *
     * @throws CatalogInUseException naming every conflict, if there is one
     */
    public void check() {
        if (!customers.isEmpty()) {
            throw new CatalogInUseException(conflicts(), customers.size());
        }
    }

    /** The customers of one key: a count and the smallest ids. */
    private static final class Users {
        private int count;
        private final TreeSet<String> first = new TreeSet<>();

        void add(String customerId) {
            count++;
            first.add(customerId);
            if (first.size() > FIRST) {
                first.pollLast();
            }
        }
    }
}
