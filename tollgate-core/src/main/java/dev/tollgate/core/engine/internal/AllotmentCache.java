package dev.tollgate.core.engine.internal;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.credit.internal.Allotment;
import dev.tollgate.core.credit.internal.Allotments;
import dev.tollgate.core.credit.internal.Housekeeping;
import dev.tollgate.core.customer.Subscription;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The allotments a customer last had computed ({@link Allotments#of}), and what they were computed from, kept until
 * the catalog, the subscription or the zone changes (every priced check asks); with them, what {@link Housekeeping}
 * found given in full for them ({@link Housekeeping.Settled}), which is valid only on the accounts it was found on:
 * {@link #clear} whenever those are replaced.
 *
 * <p>Not thread-safe: part of a {@link CustomerState}, guarded by the customer's section.
 */
final class AllotmentCache {
    /** The catalog by identity: a version number can come back with other content after a failed catalog commit. */
    private record Cached(
            Catalog catalog,
            @Nullable Subscription subscription,
            Instant setAt,
            ZoneId zone,
            List<Allotment> allotments,
            Housekeeping.Settled settled) {}

    private @Nullable Cached cached;

    /**
     * The allotments of {@code subscription}, set at {@code setAt}, under {@code catalog}, in {@code zone}.
     *
     * @param subscription the customer's subscription, or {@code null} (no allotments)
     */
    @SuppressWarnings("ReferenceEquality") // the catalog's and the subscription's identity key the cache
    List<Allotment> get(Catalog catalog, @Nullable Subscription subscription, Instant setAt, ZoneId zone) {
        Cached c = cached;
        if (c != null
                && c.catalog() == catalog
                && c.subscription() == subscription
                && c.setAt().equals(setAt)
                && c.zone().equals(zone)) {
            return c.allotments();
        }
        List<Allotment> computed = subscription == null ? List.of() : Allotments.of(catalog, subscription, setAt, zone);
        cached = new Cached(catalog, subscription, setAt, zone, computed, new Housekeeping.Settled(computed.size()));
        return computed;
    }

    /** What was found settled for the allotments {@link #get} returned last; call after it. */
    Housekeeping.Settled settled() {
        return Objects.requireNonNull(cached).settled();
    }

    /** Forgets the allotments and what was found settled for them. */
    void clear() {
        cached = null;
    }
}
