package dev.tollgate.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.session.Quote;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The journal's payloads, to the byte, for every record that carries a nested value (a decision, a grant, a
 * subscription, a promotion, a budget, a session, a webhook...): what a store holds must read back the same after any
 * change to how records are mapped to JSON, and a record written today must look like one written before. Each payload
 * here was written by the codec as it stood before the record mappings were shared with the API's answers
 * ({@code dev.tollgate.core.mapping}); each also reads back to its record.
 */
final class JournalFormatTest {
    private static final Instant AT = Instant.parse("2026-11-29T09:24:56.645Z");
    private static final Instant LATER = Instant.parse("2026-12-29T00:00:00Z");
    private static final String HEAD = "{\"v\":2,\"customerId\":\"acme\",\"at\":\"2026-11-29T09:24:56.645Z\"";

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }

    private static void pinned(JournalEntry entry, String payload) {
        String type = JournalCodec.type(entry);
        assertThat(JournalCodec.encode(entry)).as(type).isEqualTo(payload);
        assertThat(JournalCodec.decode(type, payload)).as(type).isEqualTo(entry);
    }

    @Test
    void a_usage_record_with_every_field_of_its_answer() {
        Decision answer = new Decision(
                true,
                null,
                new BoundBy("budget", "q", "credits", "team", "monthly", "acme@s1"),
                dec("10"),
                dec("12.5"),
                dec("1.25"),
                dec("0"),
                false,
                true,
                dec("2.5"),
                LATER,
                null,
                true,
                new CreditCharge("credits", dec("0.35"), dec("99.65")));
        pinned(
                new JournalEntry.UsageRecorded(
                        "acme",
                        AT,
                        "k1",
                        "q",
                        dec("2.5"),
                        AT,
                        dec("2.5"),
                        UsageSource.CONSUME,
                        AT,
                        "team",
                        Map.of("model", "large"),
                        answer,
                        "acme@s1",
                        "PRINT"),
                HEAD + ",\"key\":\"k1\",\"request\":\"PRINT\",\"feature\":\"q\",\"quantity\":2.5,"
                        + "\"windowStart\":\"2026-11-29T09:24:56.645Z\",\"overage\":2.5,\"source\":\"CONSUME\","
                        + "\"scope\":\"team\",\"dimensions\":{\"model\":\"large\"},\"answer\":{\"allowed\":true,"
                        + "\"boundBy\":{\"kind\":\"budget\",\"feature\":\"q\",\"currency\":\"credits\",\"scope\":\"team\","
                        + "\"budget\":\"monthly\",\"session\":\"acme@s1\"},\"limit\":10,\"used\":12.5,\"held\":1.25,"
                        + "\"remaining\":0,\"unlimited\":false,\"overage\":true,\"overageQuantity\":2.5,"
                        + "\"resetsAt\":\"2026-12-29T00:00:00Z\",\"recorded\":true,\"credit\":{\"currency\":\"credits\","
                        + "\"credits\":0.35,\"balance\":99.65}},\"session\":\"acme@s1\"}");
    }

    @Test
    void a_denial_leaves_its_answers_defaults_out() {
        Decision refusal = new Decision(
                false,
                Reason.LIMIT_EXCEEDED,
                BoundBy.feature("q"),
                dec("10"),
                dec("10"),
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                false,
                false,
                BigDecimal.ZERO,
                LATER,
                null,
                false,
                null);
        pinned(
                new JournalEntry.ConsumptionDenied(
                        "acme", AT, "k2", "q", BigDecimal.ONE, null, Map.of(), null, refusal, null),
                HEAD + ",\"key\":\"k2\",\"feature\":\"q\",\"quantity\":1,\"answer\":{\"allowed\":false,"
                        + "\"reason\":\"LIMIT_EXCEEDED\",\"boundBy\":{\"kind\":\"feature\",\"feature\":\"q\"},"
                        + "\"limit\":10,\"used\":10,\"remaining\":0,\"unlimited\":false,"
                        + "\"resetsAt\":\"2026-12-29T00:00:00Z\",\"recorded\":false}}");
        pinned(
                new JournalEntry.ConsumptionDenied(
                        "acme",
                        AT,
                        "k3",
                        "seats",
                        BigDecimal.ONE,
                        null,
                        Map.of(),
                        null,
                        Decision.plain(true, null, null, dec("5")),
                        null),
                HEAD + ",\"key\":\"k3\",\"feature\":\"seats\",\"quantity\":1,\"answer\":{\"allowed\":true,"
                        + "\"used\":0,\"unlimited\":false,\"value\":5,\"recorded\":false}}");
        pinned(
                new JournalEntry.ConsumptionDenied(
                        "acme", AT, "k5", "q", BigDecimal.ONE, "team", Map.of("model", "m"), "acme@s1", refusal, null),
                HEAD + ",\"key\":\"k5\",\"feature\":\"q\",\"quantity\":1,\"scope\":\"team\","
                        + "\"dimensions\":{\"model\":\"m\"},\"session\":\"acme@s1\",\"answer\":{\"allowed\":false,"
                        + "\"reason\":\"LIMIT_EXCEEDED\",\"boundBy\":{\"kind\":\"feature\",\"feature\":\"q\"},"
                        + "\"limit\":10,\"used\":10,\"remaining\":0,\"unlimited\":false,"
                        + "\"resetsAt\":\"2026-12-29T00:00:00Z\",\"recorded\":false}}");
    }

    @Test
    void grants_with_and_without_their_optional_fields() {
        pinned(
                new JournalEntry.GrantCreated(
                        "acme",
                        AT,
                        "k4",
                        new Grant("g1", "credits", dec("100"), false, dec("9.99"), 5, AT, LATER, "api", "inv-7"),
                        "PRINT"),
                HEAD + ",\"key\":\"k4\",\"request\":\"PRINT\",\"grant\":{\"id\":\"g1\",\"currency\":\"credits\","
                        + "\"amount\":100,\"category\":\"paid\",\"costBasis\":9.99,\"priority\":5,"
                        + "\"effectiveAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\","
                        + "\"source\":\"api\",\"reference\":\"inv-7\"}}");
        pinned(
                new JournalEntry.GrantCreated(
                        "acme",
                        AT,
                        null,
                        new Grant("g2", "credits", dec("5"), true, BigDecimal.ZERO, 0, AT, null, "plan", null),
                        null),
                HEAD + ",\"grant\":{\"id\":\"g2\",\"currency\":\"credits\",\"amount\":5,\"category\":\"promotional\","
                        + "\"costBasis\":0,\"priority\":0,\"effectiveAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"source\":\"plan\"}}");
    }

    @Test
    void subscriptions_with_and_without_addons_trial_and_cancellation() {
        Subscription full = new Subscription(
                new PlanRef("pro", 3),
                List.of(new AddonRef("seats", 2, 4), new AddonRef("boost", 1, 1)),
                AT,
                new Trial(new PlanRef("trial", 1), LATER),
                LATER);
        pinned(
                new JournalEntry.SubscriptionSet("acme", AT, "k5", full, Map.of("q", AT), "PRINT"),
                HEAD + ",\"key\":\"k5\",\"request\":\"PRINT\",\"subscription\":{\"plan\":{\"key\":\"pro\","
                        + "\"version\":3},\"addons\":[{\"key\":\"seats\",\"version\":2,\"quantity\":4},"
                        + "{\"key\":\"boost\",\"version\":1,\"quantity\":1}],\"startAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"trial\":{\"plan\":{\"key\":\"trial\",\"version\":1},\"endsAt\":\"2026-12-29T00:00:00Z\"},"
                        + "\"cancelAt\":\"2026-12-29T00:00:00Z\"},\"resets\":{\"q\":\"2026-11-29T09:24:56.645Z\"}}");
        pinned(
                new JournalEntry.SubscriptionSet(
                        "acme",
                        AT,
                        null,
                        new Subscription(new PlanRef("free", 1), List.of(), AT, null, null),
                        Map.of(),
                        null),
                HEAD + ",\"subscription\":{\"plan\":{\"key\":\"free\",\"version\":1},\"addons\":[],"
                        + "\"startAt\":\"2026-11-29T09:24:56.645Z\"},\"resets\":{}}");
    }

    @Test
    void promotions_of_every_kind_of_entitlement() {
        pinned(
                new JournalEntry.PromotionGranted(
                        "acme",
                        AT,
                        "k6",
                        new Promotion(
                                "p1",
                                "q",
                                new Entitlement.Metered(dec("50"), Enforcement.SOFT, ResetPeriod.MONTH, true),
                                AT,
                                LATER),
                        "PRINT"),
                HEAD + ",\"key\":\"k6\",\"request\":\"PRINT\",\"promotion\":{\"id\":\"p1\",\"feature\":\"q\","
                        + "\"entitlement\":{\"type\":\"metered\",\"limit\":50,\"enforcement\":\"SOFT\","
                        + "\"reset\":\"MONTH\",\"calendar\":true},\"startsAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"expiresAt\":\"2026-12-29T00:00:00Z\"}}");
        pinned(
                new JournalEntry.PromotionGranted(
                        "acme",
                        AT,
                        null,
                        new Promotion(
                                "p2",
                                "q",
                                new Entitlement.Metered(null, Enforcement.HARD, ResetPeriod.DAY, false),
                                AT,
                                null),
                        null),
                HEAD + ",\"promotion\":{\"id\":\"p2\",\"feature\":\"q\",\"entitlement\":{\"type\":\"metered\","
                        + "\"enforcement\":\"HARD\",\"reset\":\"DAY\",\"calendar\":false},"
                        + "\"startsAt\":\"2026-11-29T09:24:56.645Z\"}}");
        pinned(
                new JournalEntry.PromotionGranted(
                        "acme", AT, null, new Promotion("p3", "sso", new Entitlement.Toggle(true), AT, null), null),
                HEAD + ",\"promotion\":{\"id\":\"p3\",\"feature\":\"sso\",\"entitlement\":{\"type\":\"boolean\","
                        + "\"enabled\":true},\"startsAt\":\"2026-11-29T09:24:56.645Z\"}}");
        pinned(
                new JournalEntry.PromotionGranted(
                        "acme",
                        AT,
                        null,
                        new Promotion("p4", "seats", new Entitlement.Config(dec("8")), AT, null),
                        null),
                HEAD + ",\"promotion\":{\"id\":\"p4\",\"feature\":\"seats\",\"entitlement\":{\"type\":\"config\","
                        + "\"value\":8},\"startsAt\":\"2026-11-29T09:24:56.645Z\"}}");
    }

    @Test
    void auto_recharge_set_and_cleared() {
        pinned(
                new JournalEntry.AutoRechargeSet(
                        "acme",
                        AT,
                        null,
                        "credits",
                        new AutoRecharge("credits", dec("10"), dec("100"), dec("50"), dec("4.5"), 3, dec("200"))),
                HEAD + ",\"currency\":\"credits\",\"config\":{\"threshold\":10,\"target\":100,\"amount\":50,"
                        + "\"costBasis\":4.5,\"maxPerPeriod\":3,\"maxMoneyPerPeriod\":200}}");
        pinned(
                new JournalEntry.AutoRechargeSet(
                        "acme",
                        AT,
                        null,
                        "credits",
                        new AutoRecharge("credits", dec("10"), null, dec("50"), BigDecimal.ZERO, null, null)),
                HEAD + ",\"currency\":\"credits\",\"config\":{\"threshold\":10,\"amount\":50,\"costBasis\":0}}");
        pinned(
                new JournalEntry.AutoRechargeSet("acme", AT, null, "credits", null),
                HEAD + ",\"currency\":\"credits\"}");
    }

    @Test
    void scopes_and_budgets() {
        pinned(
                new JournalEntry.ScopeSet("acme", AT, null, new Scope("team", "team", "org", "Team A")),
                HEAD + ",\"id\":\"team\",\"kind\":\"team\",\"parent\":\"org\",\"name\":\"Team A\"}");
        pinned(
                new JournalEntry.ScopeSet("acme", AT, null, new Scope("org", "scope", null, null)),
                HEAD + ",\"id\":\"org\",\"kind\":\"scope\"}");
        Budget byFeature = new Budget(
                "daily", null, "q", dec("100"), ResetPeriod.DAY, false, List.of(dec("0.5")), Map.of("model", "large"));
        pinned(
                new JournalEntry.BudgetSet("acme", AT, null, "team", "daily", byFeature),
                HEAD + ",\"scope\":\"team\",\"budgetKey\":\"daily\",\"budget\":{\"feature\":\"q\",\"limit\":100,"
                        + "\"period\":\"day\",\"hard\":false,\"alerts\":[0.5],\"dimensions\":{\"model\":\"large\"}}}");
        Budget byCurrency =
                new Budget("monthly", "credits", null, dec("20"), ResetPeriod.MONTH, true, List.of(), Map.of());
        pinned(
                new JournalEntry.BudgetSet("acme", AT, null, "team", "monthly", byCurrency),
                HEAD + ",\"scope\":\"team\",\"budgetKey\":\"monthly\",\"budget\":{\"currency\":\"credits\","
                        + "\"limit\":20,\"period\":\"month\",\"hard\":true,\"alerts\":[],\"dimensions\":{}}}");
        pinned(
                new JournalEntry.BudgetSet("acme", AT, null, "team", "monthly", null),
                HEAD + ",\"scope\":\"team\",\"budgetKey\":\"monthly\"}");
    }

    @Test
    void sessions_opened_and_closed() {
        pinned(
                new JournalEntry.SessionOpened(
                        "acme",
                        AT,
                        "k7",
                        new Session("acme@s1", "team", "credits", null, dec("5"), AT, LATER, LATER),
                        "PRINT"),
                HEAD + ",\"key\":\"k7\",\"request\":\"PRINT\",\"id\":\"acme@s1\",\"scope\":\"team\","
                        + "\"currency\":\"credits\",\"amount\":5,\"openedAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"expiresAt\":\"2026-12-29T00:00:00Z\",\"maxUntil\":\"2026-12-29T00:00:00Z\"}");
        pinned(
                new JournalEntry.SessionOpened(
                        "acme",
                        AT,
                        "k8",
                        new Session(
                                "acme@s2",
                                null,
                                null,
                                "llm",
                                dec("40"),
                                AT,
                                LATER,
                                LATER,
                                new Quote("credits", dec("0.25"))),
                        "PRINT"),
                HEAD + ",\"key\":\"k8\",\"request\":\"PRINT\",\"id\":\"acme@s2\",\"feature\":\"llm\",\"amount\":40,"
                        + "\"quote\":{\"currency\":\"credits\",\"unitPrice\":0.25},"
                        + "\"openedAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\","
                        + "\"maxUntil\":\"2026-12-29T00:00:00Z\"}");
        pinned(
                new JournalEntry.SessionOpened(
                        "acme",
                        AT,
                        "k9",
                        new Session("acme@s3", null, null, "q", dec("1"), AT, LATER, LATER, Quote.FREE),
                        "PRINT"),
                HEAD + ",\"key\":\"k9\",\"request\":\"PRINT\",\"id\":\"acme@s3\",\"feature\":\"q\",\"amount\":1,"
                        + "\"quote\":{\"unitPrice\":0},\"openedAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"expiresAt\":\"2026-12-29T00:00:00Z\",\"maxUntil\":\"2026-12-29T00:00:00Z\"}");
        pinned(
                new JournalEntry.SessionClosed(
                        "acme", AT, "close:acme@s1", "acme@s1", true, dec("0.5"), BoundBy.feature("q")),
                HEAD + ",\"key\":\"close:acme@s1\",\"session\":\"acme@s1\",\"expired\":true,\"excess\":0.5,"
                        + "\"boundBy\":{\"kind\":\"feature\",\"feature\":\"q\"}}");
    }

    @Test
    void webhooks_alerts_and_catalogs() {
        pinned(
                new JournalEntry.WebhookSet(
                        "acme",
                        AT,
                        null,
                        new Webhook("w1", "https://example.com/hook", List.of("balance.low", "*"), "s3cret-s3cret-s3")),
                HEAD + ",\"id\":\"w1\",\"url\":\"https://example.com/hook\",\"events\":[\"balance.low\",\"*\"],"
                        + "\"secret\":\"s3cret-s3cret-s3\"}");
        pinned(
                new JournalEntry.AlertRaised(
                        "acme",
                        AT,
                        null,
                        new Alert(
                                "acme#a1",
                                "acme",
                                "balance.low",
                                "balance.low:credits",
                                AT,
                                Map.of("currency", "credits"),
                                List.of("w1"))),
                HEAD + ",\"id\":\"acme#a1\",\"type\":\"balance.low\",\"dedup\":\"balance.low:credits\","
                        + "\"data\":{\"currency\":\"credits\"},\"webhooks\":[\"w1\"]}");
        pinned(
                new JournalEntry.CatalogPublished(
                        2, AT, "startup:c.yaml", Map.of("plans", List.of()), new CatalogOrigin("c.yaml", "ab12")),
                "{\"v\":2,\"at\":\"2026-11-29T09:24:56.645Z\",\"version\":2,\"author\":\"startup:c.yaml\","
                        + "\"document\":{\"plans\":[]},\"origin\":{\"file\":\"c.yaml\",\"sha256\":\"ab12\"}}");
        pinned(
                new JournalEntry.CreditsMoved(
                        "acme",
                        AT,
                        "k8",
                        EntryType.CONSUME,
                        "credits",
                        AT,
                        List.of(new Movement("g1", dec("-0.35")), new Movement(null, dec("-0.05"))),
                        null,
                        "q",
                        dec("1"),
                        "team",
                        Map.of("model", "large")),
                HEAD + ",\"key\":\"k8\",\"type\":\"CONSUME\",\"currency\":\"credits\","
                        + "\"time\":\"2026-11-29T09:24:56.645Z\",\"movements\":[{\"grant\":\"g1\",\"amount\":-0.35},"
                        + "{\"amount\":-0.05}],\"feature\":\"q\",\"quantity\":1,\"scope\":\"team\","
                        + "\"dimensions\":{\"model\":\"large\"}}");
    }
}
