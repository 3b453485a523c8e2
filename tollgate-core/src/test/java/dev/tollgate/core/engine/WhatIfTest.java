package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.catalog.CatalogException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the what-if replay on a real engine's records, every figure worked out by hand in the comments.
 *
 * <p>Recorded: tokens cost 10 credits per 1000 on gpt-4o and 1 on mini (hard credits); plan {@code pro} allows 100
 * {@code q} a month, hard; plan {@code starter} 10. Customer {@code a} (pro) holds 100 paid credits; {@code b} is on
 * starter. The draft doubles gpt-4o to 20, makes pro's {@code q} 80 soft, and renames starter to {@code basic} with
 * 20.
 */
final class WhatIfTest {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant FROM = Instant.parse("2026-03-02T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-04-01T00:00:00Z");
    private FinanceWorld world;

    static Map<String, Object> catalog(String gpt4oRate, Map<String, Object> proQ, String small, int smallLimit) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits")));
        doc.put("features", FinanceWorld.metered("tokens", "q"));
        doc.put(
                "rateCards",
                List.of(FinanceWorld.perThousandByModel(
                        "tokens", null, Map.of("gpt-4o", new BigDecimal(gpt4oRate), "mini", 1))));
        doc.put(
                "plans",
                List.of(
                        Map.of("key", "pro", "entitlements", Map.of("tokens", Map.of("limit", "unlimited"), "q", proQ)),
                        Map.of("key", small, "entitlements", Map.of("q", Map.of("limit", smallLimit)))));
        return doc;
    }

    static Map<String, Object> recordedCatalog() {
        return catalog("10", Map.of("limit", 100), "starter", 10);
    }

    static Map<String, Object> draft() {
        return catalog("20", Map.of("limit", 80, "enforcement", "soft"), "basic", 20);
    }

    @BeforeEach
    void world() throws Exception {
        world = new FinanceWorld(START);
        world.publish(recordedCatalog());
        world.customer("a", "pro");
        world.customer("b", "starter");
        world.grant("a", "credits", "100", false, "0.01", "g");
        world.at("2026-03-03T10:00:00Z");
        // recorded for a: 50 + 10 credits, q 60 and 30 admitted, 20 refused (90 + 20 > 100), an event of 15 whose
        // 5 past the hard limit are overage
        world.consume("a", "tokens", "5000", "a1", Map.of("model", "gpt-4o"));
        world.consume("a", "tokens", "10000", "a2", Map.of("model", "mini"));
        world.consume("a", "q", "60", "a3");
        world.consume("a", "q", "30", "a4");
        assertThat(world.consume("a", "q", "20", "a5").reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        world.report("a", "q", "15", "a6", Map.of());
        // recorded for b: 8 admitted, 5 refused (13 > 10)
        world.consume("b", "q", "8", "b1");
        assertThat(world.consume("b", "q", "5", "b2").reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        world.at("2026-03-20T10:00:00Z");
    }

    @AfterEach
    void close() {
        world.close();
    }

    private WhatIfReport whatIf(Map<String, @Nullable String> plans, @Nullable List<String> customers) {
        return world.engine.whatIf(new WhatIfRequest(draft(), FROM, TO, customers, plans, 10));
    }

    @Test
    void the_range_is_decided_again_under_the_draft_from_the_state_at_from() {
        WhatIfReport report = whatIf(Map.of("starter", "basic"), null);

        WhatIfReport.CustomerOutcome a = report.customers().get(0);
        assertThat(a.customerId()).isEqualTo("a");
        assertThat(a.requests()).isEqualTo(6);
        assertThat(a.before().admitted()).isEqualTo(5);
        assertThat(a.before().refusedBy()).containsExactly(Map.entry("LIMIT_EXCEEDED", 1L));
        assertThat(a.before().credits()).containsExactly(Map.entry("credits", new BigDecimal("60")));
        assertThat(a.before().features().get("q"))
                .isEqualTo(new WhatIfReport.FeatureUse(new BigDecimal("105"), new BigDecimal("5")));
        // under the draft: gpt-4o 5000 costs 100 and takes the whole balance, so mini's 10 are refused; q is soft at
        // 80: 60, then 30 (10 over), then the 20 refused before (20 over), then the event's 15 (15 over)
        assertThat(a.after().admitted()).isEqualTo(5);
        assertThat(a.after().refusedBy()).containsExactly(Map.entry("INSUFFICIENT_CREDITS", 1L));
        assertThat(a.after().credits()).containsExactly(Map.entry("credits", new BigDecimal("100")));
        assertThat(a.after().features().get("tokens"))
                .isEqualTo(new WhatIfReport.FeatureUse(new BigDecimal("5000"), BigDecimal.ZERO));
        assertThat(a.after().features().get("q"))
                .isEqualTo(new WhatIfReport.FeatureUse(new BigDecimal("125"), new BigDecimal("45")));
        assertThat(a.newlyRefused()).isEqualTo(1);
        assertThat(a.newlyAdmitted()).isEqualTo(1);

        // b moves from starter (10) to basic (20): 8, then the 5 refused before fit
        WhatIfReport.CustomerOutcome b = report.customers().get(1);
        assertThat(b.customerId()).isEqualTo("b");
        assertThat(b.before().refused()).isEqualTo(1);
        assertThat(b.after().refused()).isZero();
        assertThat(b.after().features().get("q").quantity()).isEqualByComparingTo("13");
        assertThat(b.newlyAdmitted()).isEqualTo(1);

        assertThat(report.total().requests()).isEqualTo(8);
        assertThat(report.total().newlyRefused()).isEqualTo(1);
        assertThat(report.total().newlyAdmitted()).isEqualTo(2);
        assertThat(report.total().after().features().get("q").quantity()).isEqualByComparingTo("138");
        assertThat(report.refused().count()).isEqualTo(1);
        assertThat(report.refused().newly()).isEqualTo(1);
        assertThat(report.refused().sample())
                .containsExactly(new WhatIfReport.Refusal(
                        "a",
                        "a2",
                        Instant.parse("2026-03-03T10:00:00Z"),
                        "tokens",
                        new BigDecimal("10000"),
                        "INSUFFICIENT_CREDITS",
                        null));
        assertThat(report.baseVersion()).isEqualTo(1);
    }

    @Test
    void the_same_catalog_replays_what_was_recorded() {
        WhatIfReport report = world.engine.whatIf(new WhatIfRequest(recordedCatalog(), FROM, TO, null, Map.of(), 10));

        for (WhatIfReport.CustomerOutcome c : report.customers()) {
            assertThat(c.after()).as(c.customerId()).isEqualTo(c.before());
            assertThat(c.newlyRefused() + c.newlyAdmitted()).isZero();
        }
        assertThat(report.refused().count()).isEqualTo(2);
        assertThat(report.refused().sample())
                .extracting(WhatIfReport.Refusal::recordedReason)
                .containsExactly("LIMIT_EXCEEDED", "LIMIT_EXCEEDED");
    }

    @Test
    void a_replay_changes_nothing_in_memory_or_in_the_store() {
        int appends = world.store.appends.get();
        int records = world.store.size();
        BalanceView balance = world.engine.balances("a").get(0);
        BigDecimal used = world.engine
                .check(new CheckRequest("a", "q", null, null, Map.of()))
                .used();
        int version = world.engine.catalog().version();

        whatIf(Map.of("starter", "basic"), null);
        whatIf(Map.of("starter", "basic"), List.of("a"));

        assertThat(world.store.appends.get()).isEqualTo(appends);
        assertThat(world.store.size()).isEqualTo(records);
        assertThat(world.engine.balances("a").get(0)).isEqualTo(balance);
        assertThat(world.engine
                        .check(new CheckRequest("a", "q", null, null, Map.of()))
                        .used())
                .isEqualByComparingTo(used);
        assertThat(world.engine.catalog().version()).isEqualTo(version);
        assertThat(world.engine.catalogVersions()).hasSize(1);
    }

    @Test
    void customers_limit_the_replay_to_them() {
        WhatIfReport report = whatIf(Map.of("starter", "basic"), List.of("b"));

        assertThat(report.customers())
                .extracting(WhatIfReport.CustomerOutcome::customerId)
                .containsExactly("b");
        assertThat(report.total().requests()).isEqualTo(2);
    }

    @Test
    void a_plan_the_draft_lacks_must_be_mapped_and_may_be_mapped_to_none() {
        assertThatThrownBy(() -> whatIf(Map.of(), null)).isInstanceOfSatisfying(TollgateException.class, e -> {
            assertThat(e.code()).isEqualTo("PLAN_NOT_MAPPED");
            assertThat(e.field()).isEqualTo("plans.starter");
            assertThat(e.getMessage()).contains("'starter' (1 customer)");
        });
        assertThatThrownBy(() -> whatIf(Map.of("starter", "gold"), null))
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_PLAN_MAPPING");
                    assertThat(e.field()).isEqualTo("plans.starter");
                });

        Map<String, @Nullable String> none = new HashMap<>();
        none.put("starter", null);
        WhatIfReport.CustomerOutcome b = whatIf(none, List.of("b")).customers().get(0);
        assertThat(b.after().refusedBy()).containsExactly(Map.entry("NO_SUBSCRIPTION", 2L));
    }

    @Test
    void bad_requests_are_refused_with_their_field() {
        assertThatThrownBy(() -> world.engine.whatIf(new WhatIfRequest(
                        Map.of("features", List.of(Map.of("key", "x"))), FROM, TO, null, Map.of(), 1)))
                .isInstanceOfSatisfying(
                        CatalogException.class,
                        e -> assertThat(e.errors())
                                .anySatisfy(err -> assertThat(err.path()).isEqualTo("features[0].type")));
        assertThatThrownBy(() -> world.engine.whatIf(new WhatIfRequest(draft(), TO, FROM, null, Map.of(), 1)))
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("INVALID_QUERY");
                    assertThat(e.field()).isEqualTo("to");
                });
        assertThatThrownBy(() -> whatIf(Map.of("starter", "basic"), List.of("a", "ghost")))
                .isInstanceOfSatisfying(TollgateException.class, e -> {
                    assertThat(e.code()).isEqualTo("CUSTOMER_NOT_FOUND");
                    assertThat(e.field()).isEqualTo("customers[1]");
                });
    }
}
