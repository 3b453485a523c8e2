package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.credit.internal.Allotment;
import dev.tollgate.core.credit.internal.LedgerChange;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.journal.JournalEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A customer's cached allotments and entitlements follow the catalog object they were computed from, not its version
 * number: after a failed catalog commit the engine restores the durable catalog, and the next publication gets the
 * same number with other content.
 */
final class CustomerStateCacheTest {
    private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");

    private static Map<String, Object> document(int credits, int limit) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "features",
                List.of(Map.of("key", "q", "type", "metered", "reset", "month")),
                "plans",
                List.of(Map.of(
                        "key",
                        "p",
                        "entitlements",
                        Map.of("q", Map.of("limit", limit)),
                        "credits",
                        List.of(Map.of("currency", "credits", "amount", credits, "every", "month")))));
    }

    private static Catalog publish(Catalog current, int credits, int limit) {
        Map<String, Object> document = document(credits, limit);
        return current.publish(CatalogReader.read(document), document, T, "test");
    }

    @Test
    void issue_15_review_a_catalog_republished_under_the_number_of_a_failed_one_is_read_afresh() {
        Catalog durable = publish(Catalog.empty(), 100, 10);
        Catalog failed = publish(durable, 500, 50);
        Catalog republished = publish(durable, 300, 30);
        assertThat(republished.version()).isEqualTo(failed.version());
        CustomerState state = new CustomerState("c");
        state.apply(
                new JournalEntry.SubscriptionSet(
                        "c", T, null, new Subscription(new PlanRef("p", 2), List.of(), T, null, null), Map.of(), null),
                CompletableFuture.completedFuture(null));

        assertThat(state.allotments(failed))
                .extracting(a -> a.spec().amount().intValue())
                .containsExactly(500);
        assertThat(state.resolve(failed, T).entitlements().get("q").limit()).isEqualByComparingTo("50");

        List<Allotment> allotments = state.allotments(republished);
        assertThat(allotments)
                .extracting(a -> a.spec().amount().intValue())
                .as("plan p@2 of the catalog now current, not of the one that failed")
                .containsExactly(300);
        assertThat(state.resolve(republished, T).entitlements().get("q").limit())
                .isEqualByComparingTo("30");
        assertThat(state.allotments(republished))
                .as("kept while the catalog stays")
                .isSameAs(allotments);
    }

    @Test
    void issue_15_review_an_allotment_found_given_is_looked_at_again_after_a_restore() {
        Catalog catalog = publish(Catalog.empty(), 100, 10);
        CustomerState state = new CustomerState("c");
        CustomerState durable = Objects.requireNonNull(state.durable);
        JournalEntry subscribed = new JournalEntry.SubscriptionSet(
                "c", T, null, new Subscription(new PlanRef("p", 1), List.of(), T, null, null), Map.of(), null);
        state.apply(subscribed, CompletableFuture.completedFuture(null));
        durable.apply(subscribed, CompletableFuture.completedFuture(null));
        List<LedgerChange> due = state.creditsDue(catalog, T);
        assertThat(due).hasSize(1);
        state.apply(
                new JournalEntry.GrantCreated("c", T, null, ((LedgerChange.NewGrant) due.get(0)).grant(), null),
                CompletableFuture.completedFuture(null));
        assertThat(state.creditsDue(catalog, T.plusSeconds(1))).isEmpty();
        assertThat(state.creditsDue(catalog, T.plusSeconds(2)))
                .as("noted as given, and skipped")
                .isEmpty();

        state.copyFrom(durable);

        assertThat(state.creditsDue(catalog, T.plusSeconds(3)))
                .as("the grant was never durable: restored without it, the period's allotment is due again")
                .hasSize(1);
    }
}
