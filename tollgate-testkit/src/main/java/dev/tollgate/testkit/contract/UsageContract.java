package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.api.UsageQuery;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reading usage back (SPEC §4 overage kept for billing, §6 scopes, §7 attribution and the billing export), run on every
 * store: the overage of soft limits and of usage reported past hard ones per feature and period, usage of a scope's
 * subtree, usage rolled up to any level of the tree, and usage by day and hour of the customer's calendar, before and
 * after a restart.
 */
public abstract class UsageContract extends EngineSuite {
    private static final Instant T = Instant.parse("2026-04-10T09:00:00Z");
    private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");
    private static final Instant MAY = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");
    private static final Map<String, Object> CATALOG = Map.of(
            "currencies",
            List.of(Map.of("key", "credits", "depletion", "soft")),
            "features",
            List.of(
                    Map.of("key", "soft-q", "type", "metered", "reset", "month", "calendar", true),
                    Map.of("key", "hard-q", "type", "metered", "reset", "month", "calendar", true),
                    Map.of("key", "llm", "type", "metered", "reset", "month", "calendar", true)),
            "rateCards",
            List.of(Map.of("feature", "llm", "currency", "credits", "per", 1, "rate", 2)),
            "plans",
            List.of(Map.of(
                    "key",
                    "p",
                    "entitlements",
                    Map.of(
                            "soft-q", Map.of("limit", 10, "enforcement", "soft"),
                            "hard-q", Map.of("limit", 5),
                            "llm", Map.of("limit", "unlimited")))));

    protected UsageContract() {
        super(T, AfterEachTest.VERIFY);
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), null)
                .get();
        engine().subscribe("acme", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
    }

    private Decision consume(@Nullable String scope, String feature, long quantity, String key) throws Exception {
        return engine().consume(new ConsumeRequest("acme", feature, BigDecimal.valueOf(quantity), key, scope, Map.of()))
                .get()
                .value();
    }

    private EventResult report(String feature, long quantity, String key) throws Exception {
        return engine().report(List.of(
                        new UsageEvent(key, "acme", feature, BigDecimal.valueOf(quantity), null, Map.of(), null)))
                .get()
                .get(0);
    }

    private void scope(String id, @Nullable String parent) throws Exception {
        engine().setScope("acme", id, parent == null ? "department" : "team", parent, null)
                .get();
    }

    /** eng > platform > bot and sales, each with usage of its own (1 at the customer root). */
    private void tree() throws Exception {
        scope("eng", null);
        scope("platform", "eng");
        scope("bot", "platform");
        scope("sales", null);
        consume(null, "llm", 1, "root");
        consume("eng", "llm", 10, "e");
        consume("platform", "llm", 100, "p");
        consume("bot", "llm", 1000, "b");
        consume("sales", "llm", 10000, "s");
    }

    private BigDecimal overage(String feature) {
        return engine().entitlements("acme").stream()
                .filter(v -> v.entitlement().feature().equals(feature))
                .map(EntitlementView::overage)
                .findFirst()
                .orElseThrow();
    }

    private List<UsageReport.Group> usage(List<String> groupBy, @Nullable String scope, int depth) {
        return engine().usage("acme", new UsageQuery(Instant.EPOCH, JUNE, groupBy, null, scope, depth));
    }

    @Test
    void the_overage_of_soft_limits_and_of_reports_past_hard_ones_is_read_back_per_feature_and_period()
            throws Exception {
        assertThat(consume(null, "soft-q", 8, "s1").overage()).isFalse();
        assertThat(consume(null, "soft-q", 5, "s2").overageQuantity()).isEqualByComparingTo("3");
        assertThat(consume(null, "hard-q", 4, "h1").allowed()).isTrue();
        assertThat(report("hard-q", 3, "h2").overage())
                .as("reported past the hard limit")
                .isTrue();
        consume(null, "llm", 7, "l1");

        assertThat(overage("soft-q")).isEqualByComparingTo("3");
        assertThat(overage("hard-q")).isEqualByComparingTo("2");
        assertThat(overage("llm")).as("0 when none").isEqualByComparingTo("0");
        assertThat(usage(List.of("feature"), null, 0))
                .extracting(
                        g -> g.group().get("feature"),
                        g -> g.quantity().toPlainString(),
                        g -> g.overage().toPlainString())
                .containsExactly(tuple("hard-q", "7", "2"), tuple("llm", "7", "0"), tuple("soft-q", "13", "3"));

        clock.set(Instant.parse("2026-05-02T10:00:00Z"));
        consume(null, "soft-q", 11, "s3");
        assertThat(overage("soft-q")).as("the current period's").isEqualByComparingTo("1");
        assertThat(overage("hard-q")).isEqualByComparingTo("0");

        for (int pass = 0; pass < 2; pass++) {
            assertThat(engine().usagePeriods("acme", Instant.EPOCH, JUNE))
                    .extracting(
                            UsageReport.Period::feature,
                            UsageReport.Period::periodStart,
                            UsageReport.Period::periodEnd,
                            p -> p.limit() == null ? "unlimited" : p.limit().toPlainString(),
                            p -> p.used().toPlainString(),
                            p -> p.overage().toPlainString(),
                            UsageReport.Period::events)
                    .containsExactly(
                            tuple("hard-q", APRIL, MAY, "5", "7", "2", 2L),
                            tuple("llm", APRIL, MAY, "unlimited", "7", "0", 1L),
                            tuple("soft-q", APRIL, MAY, "10", "13", "3", 2L),
                            tuple("soft-q", MAY, JUNE, "10", "11", "1", 1L));
            assertThat(engine().usagePeriods("acme", Instant.EPOCH, JUNE).get(1).credits())
                    .containsEntry("credits", new BigDecimal("14"));
            assertThat(engine().usagePeriods("acme", MAY, JUNE))
                    .as("usage that happened in the range")
                    .extracting(UsageReport.Period::feature, UsageReport.Period::periodStart)
                    .containsExactly(tuple("soft-q", MAY));
            assertThat(overage("soft-q")).isEqualByComparingTo("1");
            assertThat(usage(List.of("feature"), null, 0))
                    .extracting(g -> g.group().get("feature"), g -> g.overage().toPlainString())
                    .containsExactly(tuple("hard-q", "2"), tuple("llm", "0"), tuple("soft-q", "4"));
            restart();
        }
        clock.set(Instant.parse("2026-04-20T10:00:00Z"));
        assertThat(overage("soft-q")).as("April's, after the restart").isEqualByComparingTo("3");
        assertThat(overage("hard-q")).isEqualByComparingTo("2");
    }

    @Test
    void usage_of_a_scope_counts_it_and_every_scope_below_it_in_the_current_tree() throws Exception {
        tree();

        for (int pass = 0; pass < 2; pass++) {
            assertThat(usage(List.of(), "eng", 0))
                    .singleElement()
                    .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("1110"));
            assertThat(usage(List.of("scope"), "platform", 0))
                    .extracting(g -> g.group().get("scope"), g -> g.quantity().toPlainString())
                    .containsExactly(tuple("bot", "1000"), tuple("platform", "100"));
            assertThat(usage(List.of(), "bot", 0))
                    .singleElement()
                    .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("1000"));
            restart();
        }
        assertThatThrownBy(() -> usage(List.of(), "nowhere", 0)).isInstanceOfSatisfying(TollgateException.class, e -> {
            assertThat(e.code()).isEqualTo("SCOPE_NOT_FOUND");
            assertThat(e.field()).isEqualTo("scope");
        });

        scope("bot", "sales");
        assertThat(usage(List.of(), "eng", 0))
                .as("a moved scope's usage counts where it is now")
                .singleElement()
                .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("110"));
        assertThat(usage(List.of(), "sales", 0))
                .singleElement()
                .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("11000"));
    }

    @Test
    void usage_grouped_by_scope_rolls_up_to_any_level_of_the_tree() throws Exception {
        tree();

        assertThat(usage(List.of("scope"), null, 1))
                .extracting(g -> g.group().get("scope"), g -> g.quantity().toPlainString(), UsageReport.Group::events)
                .containsExactlyInAnyOrder(tuple("eng", "1110", 3L), tuple("sales", "10000", 1L), tuple(null, "1", 1L));
        assertThat(usage(List.of("scope"), null, 2))
                .extracting(g -> g.group().get("scope"), g -> g.quantity().toPlainString())
                .containsExactlyInAnyOrder(
                        tuple("eng", "10"), tuple("platform", "1100"), tuple("sales", "10000"), tuple(null, "1"));
        assertThat(usage(List.of("scope", "feature"), "eng", 2))
                .extracting(g -> g.group().get("scope"), g -> g.quantity().toPlainString())
                .containsExactly(tuple("eng", "10"), tuple("platform", "1100"));
        assertThat(usage(List.of("scope"), null, 0))
                .as("depth 0: the scope as recorded")
                .hasSize(5);
        assertThatThrownBy(() -> usage(List.of("feature"), null, 1))
                .as("a roll-up needs scope grouping")
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_QUERY");
                    assertThat(e.field()).isEqualTo("depth");
                });
    }

    @Test
    void usage_by_day_and_hour_follows_the_customers_time_zone() throws Exception {
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), "America/New_York"), null)
                .get();
        scope("eng", null);
        consume("eng", "llm", 1, "morning"); // 2026-04-10 05:00 in New York
        clock.set(Instant.parse("2026-04-11T02:30:00Z")); // 2026-04-10 22:30 there, already the 11th in UTC
        consume(null, "llm", 10, "evening");
        clock.set(Instant.parse("2026-04-11T05:10:00Z")); // 2026-04-11 01:10 there
        consume("eng", "llm", 100, "night");

        for (int pass = 0; pass < 2; pass++) {
            assertThat(usage(List.of("day"), null, 0))
                    .extracting(g -> g.group().get("day"), g -> g.quantity().toPlainString(), UsageReport.Group::events)
                    .containsExactly(tuple("2026-04-10", "11", 2L), tuple("2026-04-11", "100", 1L));
            assertThat(usage(List.of("day", "scope"), null, 0))
                    .extracting(
                            g -> g.group().get("day"),
                            g -> g.group().get("scope"),
                            g -> g.credits().get("credits").toPlainString())
                    .containsExactlyInAnyOrder(
                            tuple("2026-04-10", "eng", "2"),
                            tuple("2026-04-10", null, "20"),
                            tuple("2026-04-11", "eng", "200"));
            assertThat(usage(List.of("hour"), null, 0))
                    .as("the instant each local hour began")
                    .extracting(g -> g.group().get("hour"), g -> g.quantity().toPlainString())
                    .containsExactly(
                            tuple("2026-04-10T09:00:00Z", "1"),
                            tuple("2026-04-11T02:00:00Z", "10"),
                            tuple("2026-04-11T05:00:00Z", "100"));
            restart();
        }
        assertThatThrownBy(() -> usage(List.of("week"), null, 0)).isInstanceOfSatisfying(TollgateException.class, e -> {
            assertThat(e.code()).isEqualTo("INVALID_GROUP_BY");
            assertThat(e.field()).isEqualTo("groupBy");
        });
    }
}
