package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.PromotionRequest;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: the what-if over a history with every kind of record (an allotment, a scope's budget, a refusal for lack
 * of credits with dimensions, an auto-recharge, a currency session with a settlement, a refund, a void, a promotion,
 * a reported event): replayed against the catalog it was recorded under, it gives back exactly what was recorded.
 */
final class WhatIfRecordsTest {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant FROM = Instant.parse("2026-03-05T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-04-01T00:00:00Z");

    static Map<String, Object> catalog() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits")));
        doc.put("features", FinanceWorld.metered("llm-tokens", "ai-queries"));
        doc.put(
                "rateCards",
                List.of(FinanceWorld.perThousandByModel(
                        "llm-tokens", 1, Map.of("gpt-4o", 5, "gpt-4o-mini", new BigDecimal("0.3")))));
        doc.put(
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "pro",
                                "entitlements",
                                Map.of(
                                        "llm-tokens",
                                        Map.of("limit", "unlimited"),
                                        "ai-queries",
                                        Map.of("limit", 1000, "enforcement", "soft")),
                                "credits",
                                List.of(Map.of(
                                        "currency",
                                        "credits",
                                        "amount",
                                        1000,
                                        "category",
                                        "promotional",
                                        "expires",
                                        "period-end"))),
                        Map.of("key", "free", "entitlements", Map.of("ai-queries", Map.of("limit", 10)))));
        return doc;
    }

    @Test
    void every_kind_of_record_replays_as_recorded_under_the_same_catalog() throws Exception {
        try (FinanceWorld w = new FinanceWorld(START)) {
            w.publish(catalog());
            w.customer("acme", "pro");
            w.customer("beta", "free");
            w.at("2026-03-02T10:00:00Z");
            assertThat(w.consume("acme", "llm-tokens", "100000", "before", Map.of("model", "gpt-4o"))
                            .allowed())
                    .isTrue();

            w.at("2026-03-06T10:00:00Z");
            w.engine.setScope("acme", "team", "team", null, null).get();
            w.engine
                    .setBudget(
                            "acme",
                            "team",
                            "b",
                            new Budget(
                                    "b",
                                    null,
                                    "ai-queries",
                                    BigDecimal.valueOf(20),
                                    ResetPeriod.MONTH,
                                    true,
                                    List.of(),
                                    Map.of()))
                    .get();
            assertThat(w.engine
                            .consume(new dev.tollgate.core.api.ConsumeRequest(
                                    "acme", "ai-queries", BigDecimal.valueOf(15), "q1", "team", Map.of()))
                            .get()
                            .value()
                            .allowed())
                    .isTrue();
            assertThat(w.engine
                            .consume(new dev.tollgate.core.api.ConsumeRequest(
                                    "acme", "ai-queries", BigDecimal.TEN, "q2", "team", Map.of()))
                            .get()
                            .value()
                            .reason())
                    .isEqualTo(Reason.BUDGET_EXCEEDED);
            w.grant("acme", "credits", "200", false, "0.02", "paid");
            // 1000 credits asked, 500 promotional + 200 paid available: refused, with its model kept
            assertThat(w.consume("acme", "llm-tokens", "200000", "big", Map.of("model", "gpt-4o"))
                            .reason())
                    .isEqualTo(Reason.INSUFFICIENT_CREDITS);
            assertThat(w.consume("acme", "llm-tokens", "100000", "t1", Map.of("model", "gpt-4o"))
                            .allowed())
                    .isTrue();
            w.engine
                    .setAutoRecharge(
                            "acme",
                            "credits",
                            new AutoRecharge(
                                    "credits",
                                    BigDecimal.valueOf(50),
                                    null,
                                    BigDecimal.valueOf(100),
                                    new BigDecimal("0.01"),
                                    3,
                                    null))
                    .get();
            // 200 credits take the paid grant to 0: below 50, a recharge of 100 follows
            assertThat(w.consume("acme", "llm-tokens", "40000", "t2", Map.of("model", "gpt-4o"))
                            .allowed())
                    .isTrue();
            String session = w.engine
                    .openSession(
                            "acme",
                            new SessionRequest(
                                    null, "credits", null, BigDecimal.valueOf(50), Duration.ofMinutes(10), null, "s"))
                    .get()
                    .value()
                    .session()
                    .session()
                    .id();
            assertThat(w.engine
                            .consume(new dev.tollgate.core.api.ConsumeRequest(
                                    "acme",
                                    "llm-tokens",
                                    BigDecimal.valueOf(10000),
                                    "in-session",
                                    null,
                                    Map.of("model", "gpt-4o-mini"),
                                    session))
                            .get()
                            .value()
                            .allowed())
                    .isTrue();
            w.engine.closeSession(session, BigDecimal.TEN).get();
            w.engine.refund("acme", "t1").get();
            w.engine.voidGrant("acme", "recharge:t2").get();
            w.report("acme", "llm-tokens", "5000", "e1", Map.of("model", "gpt-4o-mini"));
            w.engine
                    .promote("beta", new PromotionRequest("ai-queries", Map.of("limit", 50), null, null, "promo"))
                    .get();
            assertThat(w.consume("beta", "ai-queries", "8", "b1").allowed()).isTrue();
            assertThat(w.consume("beta", "ai-queries", "60", "b2").reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
            w.at("2026-03-20T10:00:00Z");

            WhatIfReport report = w.engine.whatIf(new WhatIfRequest(catalog(), FROM, TO, null, Map.of(), 10));

            assertThat(report.customers()).hasSize(2);
            for (WhatIfReport.CustomerOutcome c : report.customers()) {
                assertThat(c.after()).as(c.customerId()).isEqualTo(c.before());
                assertThat(c.newlyRefused() + c.newlyAdmitted())
                        .as(c.customerId())
                        .isZero();
            }
            WhatIfReport.CustomerOutcome acme = report.customers().get(0);
            assertThat(acme.before().refusedBy())
                    .containsExactly(Map.entry("BUDGET_EXCEEDED", 1L), Map.entry("INSUFFICIENT_CREDITS", 1L));
            // 500 + 200 + 3 in the session + 7 settled at its close + 1.5 for the event
            assertThat(acme.after().credits()).containsExactly(Map.entry("credits", new BigDecimal("711.5")));
        }
    }
}
