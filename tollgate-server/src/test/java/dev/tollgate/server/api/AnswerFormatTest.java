package dev.tollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.CatalogVersionInfo;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.budget.Scope;
import dev.tollgate.core.catalog.CatalogOrigin;
import dev.tollgate.core.catalog.Enforcement;
import dev.tollgate.core.catalog.Entitlement;
import dev.tollgate.core.catalog.FeatureType;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.customer.AddonRef;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Promotion;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.customer.Trial;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.entitlement.EffectiveEntitlement;
import dev.tollgate.core.json.Json;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.session.Session;
import dev.tollgate.server.http.Reply;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API's answers, to the byte, for every value whose JSON the journal writes too (a decision, a grant, a
 * subscription, a promotion, a budget, a session, a webhook, auto-recharge, a catalog's origin): both are mapped by the
 * one mapping of {@code dev.tollgate.core.mapping}, and neither may change when the other does. Each text here is
 * what the answers were before the mappings were shared, but for the order of a catalog version's {@code source}:
 * it was a {@code Map.of}, whose order changed from one run to the next, and is now always {@code file},
 * {@code sha256}. The journal's side is {@code JournalFormatTest}.
 */
final class AnswerFormatTest {
    private static final Instant AT = Instant.parse("2026-11-29T09:24:56.645Z");
    private static final Instant LATER = Instant.parse("2026-12-29T00:00:00Z");

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }

    private static String json(Object tree) {
        return Json.write(tree);
    }

    @Test
    void a_decision_with_every_field_and_a_refusal_with_few() {
        Decision full = new Decision(
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
        assertThat(json(MeteringViews.decision(full)))
                .isEqualTo("{\"allowed\":true,\"boundBy\":{\"kind\":\"budget\",\"feature\":\"q\","
                        + "\"currency\":\"credits\",\"scope\":\"team\",\"budget\":\"monthly\",\"session\":\"acme@s1\"},"
                        + "\"limit\":10,\"used\":12.5,\"held\":1.25,\"remaining\":0,\"unlimited\":false,"
                        + "\"overage\":true,\"overageQuantity\":2.5,\"resetsAt\":\"2026-12-29T00:00:00Z\","
                        + "\"currency\":\"credits\",\"credits\":0.35,\"balance\":99.65}");
        Decision refused = new Decision(
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
        assertThat(json(MeteringViews.decision(refused)))
                .isEqualTo("{\"allowed\":false,\"reason\":\"LIMIT_EXCEEDED\",\"boundBy\":{\"kind\":\"feature\","
                        + "\"feature\":\"q\"},\"limit\":10,\"used\":10,\"held\":0,\"remaining\":0,\"unlimited\":false,"
                        + "\"overage\":false,\"resetsAt\":\"2026-12-29T00:00:00Z\"}");
        assertThat(json(MeteringViews.decision(Decision.plain(true, null, null, dec("5")))))
                .isEqualTo("{\"allowed\":true,\"used\":0,\"held\":0,\"unlimited\":false,\"overage\":false,"
                        + "\"value\":5}");
        assertThat(json(GovernanceViews.currencyRefusal(
                        full.refused(Reason.INSUFFICIENT_CREDITS, BoundBy.feature("q")))))
                .isEqualTo("{\"allowed\":false,\"reason\":\"INSUFFICIENT_CREDITS\",\"boundBy\":{\"kind\":\"feature\","
                        + "\"feature\":\"q\"},\"currency\":\"credits\",\"credits\":0.35,\"balance\":99.65}");
    }

    @Test
    void the_request_paths_answer_is_written_to_the_byte_as_the_tree_of_its_decision() {
        Decision charged = new Decision(
                true,
                null,
                new BoundBy("budget", "q", "credits", "team", "monthly", null),
                dec("10"),
                dec("12.50"),
                dec("0"),
                null,
                true,
                false,
                BigDecimal.ZERO,
                AT,
                null,
                true,
                new CreditCharge("crédits", dec("0.35"), dec("99.65")));
        for (Decision d : List.of(charged, Decision.plain(false, Reason.NOT_ENTITLED, null, null))) {
            Map<String, Object> tree = MeteringViews.decision(d);
            assertThat(written(MeteringRoutes.decisionReply(d, false, false))).isEqualTo(json(tree));
            tree.put("recorded", d.recorded());
            assertThat(written(MeteringRoutes.decisionReply(d, true, true))).isEqualTo(json(tree));
        }
        assertThat(written(MeteringRoutes.decisionReply(charged, true, false)))
                .isEqualTo("{\"allowed\":true,\"boundBy\":{\"kind\":\"budget\",\"feature\":\"q\","
                        + "\"currency\":\"credits\",\"scope\":\"team\",\"budget\":\"monthly\"},\"limit\":10,"
                        + "\"used\":12.5,\"held\":0,\"unlimited\":true,\"overage\":false,"
                        + "\"resetsAt\":\"2026-11-29T09:24:56.645Z\",\"currency\":\"crédits\",\"credits\":0.35,"
                        + "\"balance\":99.65,\"recorded\":true}");
    }

    private static String written(Reply reply) {
        assertThat(reply.status()).isEqualTo(200);
        return new String(((Reply.Written) reply.body()).json(), StandardCharsets.UTF_8);
    }

    @Test
    void grants_and_balances() {
        Grant paid = new Grant("g1", "credits", dec("100"), false, dec("9.99"), 5, AT, LATER, "api", "inv-7");
        assertThat(json(CreditViews.grant(new GrantView(paid, dec("60"), "active"))))
                .isEqualTo("{\"id\":\"g1\",\"currency\":\"credits\",\"amount\":100,\"remaining\":60,"
                        + "\"status\":\"active\",\"category\":\"paid\",\"costBasis\":9.99,\"priority\":5,"
                        + "\"effectiveAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\","
                        + "\"source\":\"api\",\"reference\":\"inv-7\"}");
        Grant promotional = new Grant("g2", "credits", dec("5"), true, BigDecimal.ZERO, 0, AT, null, "plan", null);
        assertThat(json(CreditViews.grant(new GrantView(promotional, dec("5"), "active"))))
                .isEqualTo("{\"id\":\"g2\",\"currency\":\"credits\",\"amount\":5,\"remaining\":5,"
                        + "\"status\":\"active\",\"category\":\"promotional\",\"costBasis\":0,\"priority\":0,"
                        + "\"effectiveAt\":\"2026-11-29T09:24:56.645Z\",\"source\":\"plan\"}");
        AutoRecharge recharge =
                new AutoRecharge("credits", dec("10"), dec("100"), dec("50"), dec("4.5"), 3, dec("200"));
        assertThat(json(CreditViews.balance(
                        new BalanceView("credits", dec("40"), dec("45"), dec("5"), dec("0"), recharge))))
                .isEqualTo("{\"currency\":\"credits\",\"available\":40,\"balance\":45,\"held\":5,\"overdraft\":0,"
                        + "\"autoRecharge\":{\"threshold\":10,\"target\":100,\"amount\":50,\"costBasis\":4.5,"
                        + "\"maxPerPeriod\":3,\"maxMoneyPerPeriod\":200}}");
        AutoRecharge plain = new AutoRecharge("credits", dec("10"), null, dec("50"), BigDecimal.ZERO, null, null);
        assertThat(json(CreditViews.balance(
                        new BalanceView("credits", dec("40"), dec("40"), dec("0"), dec("0"), plain))))
                .isEqualTo("{\"currency\":\"credits\",\"available\":40,\"balance\":40,\"held\":0,\"overdraft\":0,"
                        + "\"autoRecharge\":{\"threshold\":10,\"amount\":50,\"costBasis\":0}}");
        assertThat(json(CreditViews.balance(new BalanceView("credits", dec("0"), dec("0"), dec("0"), dec("1"), null))))
                .isEqualTo("{\"currency\":\"credits\",\"available\":0,\"balance\":0,\"held\":0,\"overdraft\":1}");
    }

    @Test
    void a_customer_with_a_subscription_and_promotions_of_every_kind() {
        Subscription subscription = new Subscription(
                new PlanRef("pro", 3),
                List.of(new AddonRef("seats", 2, 4)),
                AT,
                new Trial(new PlanRef("trial", 1), LATER),
                LATER);
        List<Promotion> promotions = List.of(
                new Promotion(
                        "p1",
                        "q",
                        new Entitlement.Metered(dec("50"), Enforcement.SOFT, ResetPeriod.MONTH, true),
                        AT,
                        LATER),
                new Promotion(
                        "p2", "q", new Entitlement.Metered(null, Enforcement.HARD, ResetPeriod.DAY, false), AT, null),
                new Promotion("p3", "sso", new Entitlement.Toggle(true), AT, null),
                new Promotion("p4", "seats", new Entitlement.Config(dec("8")), AT, null));
        CustomerView customer = new CustomerView(
                "acme", "Acme", Map.of("tier", "gold"), "Europe/Paris", AT, subscription, "active", promotions);
        assertThat(json(CustomerViews.customer(customer)))
                .isEqualTo("{\"id\":\"acme\",\"name\":\"Acme\",\"metadata\":{\"tier\":\"gold\"},"
                        + "\"timeZone\":\"Europe/Paris\",\"createdAt\":\"2026-11-29T09:24:56.645Z\",\"status\":\"active\","
                        + "\"subscription\":{\"plan\":\"pro\",\"planVersion\":3,\"addons\":[{\"key\":\"seats\","
                        + "\"version\":2,\"quantity\":4}],\"startAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"trial\":{\"plan\":\"trial\",\"planVersion\":1,\"endsAt\":\"2026-12-29T00:00:00Z\"},"
                        + "\"cancelAt\":\"2026-12-29T00:00:00Z\"},\"promotions\":[{\"id\":\"p1\",\"feature\":\"q\","
                        + "\"entitlement\":{\"limit\":50,\"enforcement\":\"soft\",\"reset\":\"month\",\"calendar\":true},"
                        + "\"startsAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\"},"
                        + "{\"id\":\"p2\",\"feature\":\"q\",\"entitlement\":{\"limit\":\"unlimited\","
                        + "\"enforcement\":\"hard\",\"reset\":\"day\",\"calendar\":false},"
                        + "\"startsAt\":\"2026-11-29T09:24:56.645Z\"},{\"id\":\"p3\",\"feature\":\"sso\","
                        + "\"entitlement\":{\"enabled\":true},\"startsAt\":\"2026-11-29T09:24:56.645Z\"},"
                        + "{\"id\":\"p4\",\"feature\":\"seats\",\"entitlement\":{\"value\":8},"
                        + "\"startsAt\":\"2026-11-29T09:24:56.645Z\"}]}");
        CustomerView bare = new CustomerView("solo", null, Map.of(), null, AT, null, "none", List.of());
        assertThat(json(CustomerViews.customer(bare)))
                .isEqualTo("{\"id\":\"solo\",\"metadata\":{},\"createdAt\":\"2026-11-29T09:24:56.645Z\","
                        + "\"status\":\"none\",\"subscription\":null,\"promotions\":[]}");
        EffectiveEntitlement metered = new EffectiveEntitlement(
                "q", FeatureType.METERED, true, null, dec("50"), Enforcement.SOFT, ResetPeriod.MONTH, true, "plan:pro");
        assertThat(json(CustomerViews.effective(
                        new EntitlementView(metered, dec("10"), dec("2"), dec("38"), LATER, dec("0")))))
                .isEqualTo("{\"feature\":\"q\",\"type\":\"metered\",\"source\":\"plan:pro\",\"limit\":50,"
                        + "\"unlimited\":false,\"used\":10,\"held\":2,\"remaining\":38,\"overage\":0,"
                        + "\"enforcement\":\"soft\",\"reset\":\"month\",\"resetsAt\":\"2026-12-29T00:00:00Z\"}");
    }

    @Test
    void a_scope_with_its_budgets_and_a_session() {
        Budget byFeature = new Budget(
                "daily", null, "q", dec("100"), ResetPeriod.DAY, false, List.of(dec("0.5")), Map.of("model", "large"));
        Budget byCurrency =
                new Budget("monthly", "credits", null, dec("20"), ResetPeriod.MONTH, true, List.of(), Map.of());
        ScopeView scope = new ScopeView(
                new Scope("team", "team", "org", "Team A"),
                List.of(
                        new ScopeView.BudgetUsage(byFeature, dec("30"), dec("5"), LATER),
                        new ScopeView.BudgetUsage(byCurrency, dec("25"), dec("0"), null)));
        assertThat(json(GovernanceViews.scope(scope)))
                .isEqualTo("{\"id\":\"team\",\"kind\":\"team\",\"parent\":\"org\",\"name\":\"Team A\",\"budgets\":["
                        + "{\"key\":\"daily\",\"feature\":\"q\",\"limit\":100,\"used\":30,\"held\":5,\"remaining\":65,"
                        + "\"period\":\"day\",\"enforcement\":\"soft\",\"alerts\":[0.5],"
                        + "\"dimensions\":{\"model\":\"large\"},\"resetsAt\":\"2026-12-29T00:00:00Z\"},"
                        + "{\"key\":\"monthly\",\"currency\":\"credits\",\"limit\":20,\"used\":25,\"held\":0,"
                        + "\"remaining\":0,\"period\":\"month\",\"enforcement\":\"hard\",\"alerts\":[]}]}");
        assertThat(json(GovernanceViews.scope(new ScopeView(new Scope("org", "scope", null, null), List.of()))))
                .isEqualTo("{\"id\":\"org\",\"kind\":\"scope\",\"budgets\":[]}");
        Session session = new Session("acme@s1", "team", "credits", null, dec("5"), AT, AT, LATER);
        SessionView closed =
                new SessionView(session, "closed", LATER, dec("6"), dec("0"), dec("1"), BoundBy.feature("q"));
        assertThat(json(GovernanceViews.session(closed)))
                .isEqualTo("{\"sessionId\":\"acme@s1\",\"customerId\":\"acme\",\"status\":\"closed\","
                        + "\"scope\":\"team\",\"currency\":\"credits\",\"amount\":5,\"consumed\":6,\"held\":0,"
                        + "\"overage\":true,\"excess\":1,\"boundBy\":{\"kind\":\"feature\",\"feature\":\"q\"},"
                        + "\"openedAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\","
                        + "\"maxUntil\":\"2026-12-29T00:00:00Z\"}");
        Session byFeature2 = new Session("acme@s2", null, null, "q", dec("3"), AT, LATER, LATER);
        assertThat(json(GovernanceViews.session(new SessionView(byFeature2, "open", LATER, dec("1"), dec("2")))))
                .isEqualTo("{\"sessionId\":\"acme@s2\",\"customerId\":\"acme\",\"status\":\"open\",\"feature\":\"q\","
                        + "\"amount\":3,\"consumed\":1,\"held\":2,\"overage\":false,"
                        + "\"openedAt\":\"2026-11-29T09:24:56.645Z\",\"expiresAt\":\"2026-12-29T00:00:00Z\","
                        + "\"maxUntil\":\"2026-12-29T00:00:00Z\"}");
    }

    @Test
    void a_webhook_never_shows_its_secret_and_a_catalog_version_shows_its_origin() {
        Webhook webhook =
                new Webhook("w1", "https://example.com/hook", List.of("balance.low", "*"), "s3cret-s3cret-s3");
        assertThat(json(AlertViews.webhook(webhook)))
                .isEqualTo("{\"id\":\"w1\",\"url\":\"https://example.com/hook\",\"events\":[\"balance.low\",\"*\"]}");
        CatalogVersionInfo fromFile =
                new CatalogVersionInfo(2, AT, "startup:c.yaml", "2 plans", new CatalogOrigin("c.yaml", "ab12"));
        assertThat(json(CatalogViews.catalogVersion(fromFile)))
                .isEqualTo("{\"version\":2,\"time\":\"2026-11-29T09:24:56.645Z\",\"author\":\"startup:c.yaml\","
                        + "\"summary\":\"2 plans\",\"source\":{\"file\":\"c.yaml\",\"sha256\":\"ab12\"}}");
        assertThat(json(CatalogViews.catalogVersion(new CatalogVersionInfo(3, AT, "api", "1 plan", null))))
                .isEqualTo("{\"version\":3,\"time\":\"2026-11-29T09:24:56.645Z\",\"author\":\"api\","
                        + "\"summary\":\"1 plan\"}");
    }
}
