package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.MarginQuery;
import dev.tollgate.core.api.MarginReport;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the margin report on a real engine, every figure computed by hand in the comments.
 *
 * <p>The world: tokens are priced in credits per 1000 (gpt-4o 10, mini 1, anything else 2) and cost USD per 1000
 * (gpt-4o 0.02, mini 0.001, no default); {@code q} is free in credits, costs 0.01 USD a unit, and plan {@code pro}
 * allows 100 a month softly with overage at 0.05 USD a unit. Customer {@code acme} holds a promotional grant of 100
 * credits (cost basis 0, burns first) and a paid one of 1000 at 0.01 USD a credit.
 */
final class MarginTest {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private FinanceWorld world;

    static Map<String, Object> catalog(String gpt4oCost) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits"), Map.of("key", "gems", "depletion", "soft")));
        doc.put("features", FinanceWorld.metered("tokens", "q", "shards"));
        doc.put(
                "rateCards",
                List.of(
                        FinanceWorld.perThousandByModel("tokens", 2, Map.of("gpt-4o", 10, "mini", 1)),
                        Map.of("feature", "shards", "currency", "gems", "rate", 1)));
        doc.put(
                "plans",
                List.of(Map.of(
                        "key",
                        "pro",
                        "price",
                        Map.of(
                                "amount",
                                20,
                                "currency",
                                "USD",
                                "overage",
                                Map.of("q", Map.of("amount", new BigDecimal("0.05")))),
                        "entitlements",
                        Map.of(
                                "tokens", Map.of("limit", "unlimited"),
                                "shards", Map.of("limit", "unlimited"),
                                "q", Map.of("limit", 100, "enforcement", "soft")))));
        doc.put(
                "costs",
                List.of(
                        Map.of(
                                "feature",
                                "tokens",
                                "currency",
                                "USD",
                                "per",
                                1000,
                                "byDimension",
                                Map.of(
                                        "model",
                                        Map.of("gpt-4o", new BigDecimal(gpt4oCost), "mini", new BigDecimal("0.001")))),
                        Map.of("feature", "q", "currency", "USD", "amount", new BigDecimal("0.01"))));
        return doc;
    }

    @BeforeEach
    void world() throws Exception {
        world = new FinanceWorld(START);
        world.publish(catalog("0.02"));
        world.customer("acme", "pro");
        world.grant("acme", "credits", "100", true, "0", "promo");
        world.grant("acme", "credits", "1000", false, "0.01", "paid");
        world.at("2026-03-02T10:00:00Z");
        // 50 credits, all from the promotional grant: revenue 0; cost 5 × 0.02 = 0.10
        world.consume("acme", "tokens", "5000", "t1", Map.of("model", "gpt-4o"));
        // 80 credits: the promotional grant's last 50, then 30 paid: revenue 30 × 0.01 = 0.30; cost 8 × 0.02 = 0.16
        world.consume("acme", "tokens", "8000", "t2", Map.of("model", "gpt-4o"));
        // 20 paid credits: revenue 0.20; cost 20 × 0.001 = 0.02
        world.consume("acme", "tokens", "20000", "t3", Map.of("model", "mini"));
        // 90 then 30 of a soft 100: overage 20 at 0.05 = 1.00 of revenue; cost 120 × 0.01 = 1.20
        world.consume("acme", "q", "90", "q1");
        world.consume("acme", "q", "30", "q2");
        // 2 paid credits (the default rate): revenue 0.02; no cost for llama and no default: 1000 uncosted
        EventResult llama = world.report("acme", "tokens", "1000", "e1", Map.of("model", "llama"));
        assertThat(llama.status()).isEqualTo(EventResult.Status.ACCEPTED);
        world.at("2026-03-10T10:00:00Z");
        world.publish(catalog("0.03"));
        // recorded under version 2: 10 paid credits, revenue 0.10; cost 1 × 0.03 = 0.03 (version 2's cost)
        world.consume("acme", "tokens", "1000", "t4", Map.of("model", "gpt-4o"));
    }

    @AfterEach
    void close() {
        world.close();
    }

    private MarginReport margin(String from, String to, String... groupBy) {
        return world.engine.margin(new MarginQuery(Instant.parse(from), Instant.parse(to), List.of(groupBy)));
    }

    private static MarginReport.Row row(MarginReport report, String... values) {
        return report.rows().stream()
                .filter(r -> new ArrayList<>(r.group().values()).equals(List.of(values)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + List.of(values) + " in " + report.rows()));
    }

    @Test
    void revenue_follows_the_grants_burned_and_cost_the_catalog_in_force_when_recorded() {
        MarginReport report = margin("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "feature", "dimension.model");

        assertThat(report.rows())
                .extracting(r -> r.group().get("feature") + "/" + r.group().get("dimension.model"))
                .containsExactly("q/null", "tokens/gpt-4o", "tokens/llama", "tokens/mini");
        MarginReport.Row q = report.rows().get(0);
        assertThat(q.currency()).isEqualTo("USD");
        assertThat(q.quantity()).isEqualByComparingTo("120");
        assertThat(q.overage()).isEqualByComparingTo("20");
        assertThat(q.events()).isEqualTo(2);
        assertThat(q.credits()).isEmpty();
        assertThat(q.overageRevenue()).isEqualByComparingTo("1.00");
        assertThat(q.revenue()).isEqualByComparingTo("1.00");
        assertThat(q.cost()).isEqualByComparingTo("1.20");
        assertThat(q.margin()).isEqualByComparingTo("-0.20");

        MarginReport.Row gpt = row(report, "tokens", "gpt-4o");
        assertThat(gpt.quantity()).isEqualByComparingTo("14000");
        assertThat(gpt.credits()).containsEntry("credits", new BigDecimal("140"));
        assertThat(gpt.creditRevenue()).isEqualByComparingTo("0.40"); // 30 × 0.01 + 10 × 0.01; the 100 promo: 0
        assertThat(gpt.cost()).isEqualByComparingTo("0.29"); // 0.10 + 0.16 under version 1, 0.03 under version 2
        assertThat(gpt.margin()).isEqualByComparingTo("0.11");

        MarginReport.Row llama = row(report, "tokens", "llama");
        assertThat(llama.creditRevenue()).isEqualByComparingTo("0.02");
        assertThat(llama.cost()).isEqualByComparingTo("0");
        assertThat(llama.uncostedQuantity()).isEqualByComparingTo("1000");
        assertThat(llama.margin()).as("an unknown cost is not a zero cost").isNull();

        MarginReport.Row mini = row(report, "tokens", "mini");
        assertThat(mini.creditRevenue()).isEqualByComparingTo("0.20");
        assertThat(mini.cost()).isEqualByComparingTo("0.02");
        assertThat(mini.margin()).isEqualByComparingTo("0.18");

        assertThat(report.totals()).singleElement().satisfies(t -> {
            assertThat(t.currency()).isEqualTo("USD");
            assertThat(t.quantity()).isEqualByComparingTo("35120");
            assertThat(t.events()).isEqualTo(7);
            assertThat(t.credits()).containsEntry("credits", new BigDecimal("162"));
            assertThat(t.revenue()).isEqualByComparingTo("1.62"); // 0.40 + 0.02 + 0.20 + 1.00
            assertThat(t.cost()).isEqualByComparingTo("1.51"); // 1.20 + 0.29 + 0.02
            assertThat(t.uncostedQuantity()).isEqualByComparingTo("1000");
            assertThat(t.margin()).isNull();
        });
    }

    @Test
    void the_range_counts_usage_that_happened_in_it() {
        MarginReport report = margin("2026-03-01T00:00:00Z", "2026-03-05T00:00:00Z", "customer");

        MarginReport.Row acme = row(report, "acme");
        assertThat(acme.events()).isEqualTo(6);
        assertThat(acme.credits()).containsEntry("credits", new BigDecimal("152"));
        assertThat(acme.revenue()).isEqualByComparingTo("1.52");
        assertThat(acme.cost()).isEqualByComparingTo("1.48");

        assertThat(margin("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z").rows())
                .isEmpty();
    }

    @Test
    void a_refund_takes_back_the_revenue_of_the_grants_it_returns_to() throws Exception {
        world.at("2026-03-11T10:00:00Z");
        // t2 burned 50 promotional and 30 paid credits: the refund returns both, revenue falls by 30 × 0.01
        world.engine.refund("acme", "t2").get();

        MarginReport.Row gpt = row(
                margin("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "feature", "dimension.model"),
                "tokens",
                "gpt-4o");

        assertThat(gpt.credits()).containsEntry("credits", new BigDecimal("60"));
        assertThat(gpt.creditRevenue()).isEqualByComparingTo("0.10");
        assertThat(gpt.cost())
                .as("a refund gives credits back; the usage still cost")
                .isEqualByComparingTo("0.29");
    }

    @Test
    void overdrawn_credits_bring_revenue_when_a_grant_pays_them_back() throws Exception {
        world.at("2026-03-12T10:00:00Z");
        // gems are soft: 30 consumed with no grant go to overdraft, revenue unknown yet
        world.consume("acme", "shards", "30", "s1");
        MarginReport.Row before = row(margin("2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z", "feature"), "shards");
        assertThat(before.unpaidCredits()).containsEntry("gems", new BigDecimal("30"));
        assertThat(before.creditRevenue()).isEqualByComparingTo("0");
        assertThat(before.margin()).isNull();

        world.at("2026-03-20T10:00:00Z");
        // a paid grant at 0.02 pays the 30 back first: revenue 0.60 for the usage of the 12th; no cost is defined
        // for shards, so the margin stays unknown, but the credits are paid
        world.grant("acme", "gems", "50", false, "0.02", "gems-1");
        MarginReport.Row after = row(margin("2026-03-12T00:00:00Z", "2026-03-13T00:00:00Z", "feature"), "shards");
        assertThat(after.unpaidCredits()).as("nothing left to pay back").isEmpty();
        assertThat(after.creditRevenue()).isEqualByComparingTo("0.60");
        assertThat(after.uncostedQuantity()).isEqualByComparingTo("30");
    }

    @Test
    void a_bad_grouping_or_range_is_refused_with_its_field() {
        assertThatThrownBy(() -> margin("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "scope"))
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_GROUP_BY");
                    assertThat(e.field()).isEqualTo("groupBy");
                });
        assertThatThrownBy(() -> margin("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "feature", "feature"))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("INVALID_GROUP_BY"));
        assertThatThrownBy(() -> margin("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "dimension."))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("INVALID_GROUP_BY"));
        assertThatThrownBy(() -> margin("2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z"))
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_QUERY");
                    assertThat(e.field()).isEqualTo("to");
                });
    }
}
