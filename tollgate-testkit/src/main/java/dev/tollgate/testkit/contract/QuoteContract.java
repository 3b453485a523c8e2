package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EntitlementView;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.PriceView;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import dev.tollgate.core.session.Quote;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quoted sessions (a feature session that fixes the feature's price when it opens), run on every store: it holds the
 * credits of its units as well as the units, against the balance and the currency's budgets; what is consumed in it
 * (a consume, a reported event, the close's settlement) is charged the quoted price whatever the catalog says later;
 * only a flat price can be quoted. What the SDK's leases stand on: the credits the server records equal what a client
 * admitted against the session at its price.
 */
public abstract class QuoteContract extends EngineSuite {
    private static final Instant T = Instant.parse("2026-04-10T09:00:00Z");

    protected QuoteContract() {
        super(T, AfterEachTest.VERIFY);
    }

    /** The catalog with {@code llm} at {@code rate} credits per 4 units. */
    private static Map<String, Object> catalog(String rate) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("currencies", List.of(Map.of("key", "credits", "depletion", "hard")));
        c.put(
                "features",
                List.of(
                        Map.of("key", "llm", "type", "metered", "reset", "month"),
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "tiered", "type", "metered", "reset", "month"),
                        Map.of("key", "by-model", "type", "metered", "reset", "month"),
                        Map.of("key", "thirds", "type", "metered", "reset", "month")));
        c.put(
                "rateCards",
                List.of(
                        Map.of("feature", "llm", "currency", "credits", "per", 4, "rate", new BigDecimal(rate)),
                        Map.of(
                                "feature",
                                "tiered",
                                "currency",
                                "credits",
                                "per",
                                1,
                                "tiers",
                                List.of(Map.of("upTo", 10, "rate", 1), Map.of("rate", new BigDecimal("0.5")))),
                        Map.of(
                                "feature",
                                "by-model",
                                "currency",
                                "credits",
                                "per",
                                1,
                                "rate",
                                1,
                                "byDimension",
                                Map.of("model", Map.of("big", 5))),
                        Map.of("feature", "thirds", "currency", "credits", "per", 3, "rate", 1)));
        Map<String, Object> unlimited = Map.of("limit", "unlimited");
        c.put(
                "plans",
                List.of(Map.of(
                        "key",
                        "p",
                        "entitlements",
                        Map.of(
                                "llm",
                                Map.of("limit", 1000),
                                "q",
                                unlimited,
                                "tiered",
                                unlimited,
                                "by-model",
                                unlimited,
                                "thirds",
                                unlimited))));
        return c;
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(catalog("1"), "contract").get();
        engine().upsertCustomer("acme", new CustomerUpdate("Acme", Map.of(), null), null)
                .get();
        engine().subscribe("acme", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
    }

    private void grant(String amount, String key) throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest("credits", new BigDecimal(amount), false, BigDecimal.ONE, 0, null, null, key))
                .get();
    }

    private static void refusedWith(String code, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private SessionOutcome open(@Nullable String scope, String feature, String amount, String key) throws Exception {
        return engine().openSession(
                        "acme",
                        new SessionRequest(
                                scope,
                                null,
                                feature,
                                new BigDecimal(amount),
                                Duration.ofSeconds(60),
                                null,
                                key,
                                SessionRequest.Pricing.QUOTED))
                .get()
                .value();
    }

    private Decision consume(String feature, long quantity, String key, @Nullable String sessionId) throws Exception {
        return engine().consume(new ConsumeRequest(
                        "acme", feature, BigDecimal.valueOf(quantity), key, null, Map.of(), sessionId))
                .get()
                .value();
    }

    private static @Nullable BigDecimal creditsOf(Decision d) {
        assertThat(d.allowed()).as(d.toString()).isTrue();
        return d.credit() == null ? null : d.credit().credits();
    }

    private EventResult report(String feature, long quantity, String key, @Nullable String sessionId) throws Exception {
        return engine().report(List.of(new UsageEvent(
                        key, "acme", feature, BigDecimal.valueOf(quantity), null, Map.of(), null, sessionId)))
                .get()
                .get(0);
    }

    private BalanceView credits() {
        return engine().balances("acme").stream()
                .filter(b -> b.currency().equals("credits"))
                .findFirst()
                .orElseThrow();
    }

    /** The credits charged for {@code feature} (usage rows, settlements included). */
    private BigDecimal charged(String feature) {
        BigDecimal sum = BigDecimal.ZERO;
        for (UsageReport.Group g : engine().usage("acme", T, T.plus(Duration.ofDays(30)), List.of(), feature)) {
            sum = sum.add(g.credits().getOrDefault("credits", BigDecimal.ZERO));
        }
        return sum;
    }

    private BigDecimal used(String feature) {
        BigDecimal sum = BigDecimal.ZERO;
        for (UsageReport.Group g : engine().usage("acme", T, T.plus(Duration.ofDays(30)), List.of(), feature)) {
            sum = sum.add(g.quantity());
        }
        return sum;
    }

    @Test
    void what_is_consumed_in_a_quoted_session_costs_its_price_after_the_catalog_changed_and_outside_the_new_one()
            throws Exception {
        grant("100", "g");
        SessionView opened = open(null, "llm", "40", "s1").session();
        assertThat(opened).isNotNull();
        String id = opened.session().id();
        assertThat(opened.session().quote()).isEqualTo(new Quote("credits", new BigDecimal("0.25")));
        assertThat(credits().held()).as("40 units at 0.25").isEqualByComparingTo("10");
        assertThat(credits().available()).isEqualByComparingTo("90");

        assertThat(creditsOf(consume("llm", 10, "c1", id))).isEqualByComparingTo("2.5");
        engine().publishCatalog(catalog("2"), "contract").get();
        assertThat(report("llm", 8, "e1", id).status()).isEqualTo(EventResult.Status.ACCEPTED);
        Decision inside = consume("llm", 2, "c2", id);
        assertThat(creditsOf(inside)).as("the quoted price, not the new 0.5").isEqualByComparingTo("0.5");
        Decision outside = consume("llm", 2, "c3", null);
        assertThat(creditsOf(outside))
                .as("outside the session: the catalog's price")
                .isEqualByComparingTo("1");
        assertThat(credits().held()).as("20 units left in the session, at 0.25").isEqualByComparingTo("5");

        SessionView closed =
                engine().closeSession(id, new BigDecimal("30")).get().value();
        assertThat(closed.consumed()).isEqualByComparingTo("30");
        assertThat(credits().held()).isEqualByComparingTo("0");
        assertThat(charged("llm"))
                .as("30 units at the quoted 0.25 (the settlement of 10 too), 2 at the new 0.5")
                .isEqualByComparingTo("8.5");
        assertThat(used("llm")).isEqualByComparingTo("32");
        assertThat(credits().available()).isEqualByComparingTo("91.5");

        restart();
        assertThat(engine().session(id).session().quote()).isEqualTo(new Quote("credits", new BigDecimal("0.25")));
        assertThat(credits().available()).isEqualByComparingTo("91.5");
        assertThat(charged("llm")).isEqualByComparingTo("8.5");
    }

    @Test
    void a_quoted_session_holds_its_credits_against_the_balance_and_the_currency_budgets_on_its_path()
            throws Exception {
        grant("10", "g");
        SessionOutcome tooBig = open(null, "llm", "41", "big");
        assertThat(tooBig.session()).isNull();
        assertThat(tooBig.refusal().reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);
        assertThat(tooBig.refusal().boundBy()).isEqualTo(new BoundBy("currency", null, "credits", null, null));

        String id = open(null, "llm", "40", "all").session().session().id();
        assertThat(credits().available()).isEqualByComparingTo("0");
        assertThat(consume("llm", 1, "outside", null).reason())
                .as("the session holds every credit")
                .isEqualTo(Reason.INSUFFICIENT_CREDITS);
        assertThat(consume("llm", 40, "inside", id).allowed()).isTrue();
        engine().closeSession(id, null).get();
        assertThat(credits().available()).isEqualByComparingTo("0");
        assertThat(charged("llm")).isEqualByComparingTo("10");

        grant("10", "g2");
        engine().setScope("acme", "team", "team", null, null).get();
        engine().setBudget(
                        "acme",
                        "team",
                        "monthly",
                        new Budget(
                                "monthly",
                                "credits",
                                null,
                                new BigDecimal("5"),
                                ResetPeriod.MONTH,
                                true,
                                List.of(),
                                Map.of()))
                .get();
        SessionOutcome overBudget = open("team", "llm", "21", "team-big");
        assertThat(overBudget.refusal().reason()).isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(overBudget.refusal().boundBy()).isEqualTo(new BoundBy("budget", null, null, "team", "monthly"));
        assertThat(open("team", "llm", "20", "team-fits").session()).isNotNull();
        ScopeView.BudgetUsage budget = engine().scopes("acme").stream()
                .filter(s -> s.scope().id().equals("team"))
                .flatMap(s -> s.budgets().stream())
                .findFirst()
                .orElseThrow();
        assertThat(budget.held()).as("20 units at 0.25").isEqualByComparingTo("5");
    }

    @Test
    void a_feature_without_a_price_is_quoted_free_and_stays_free_in_the_session() throws Exception {
        grant("100", "g");
        String id = open(null, "q", "10", "s1").session().session().id();
        assertThat(engine().session(id).session().quote()).isEqualTo(Quote.FREE);
        Map<String, Object> priced = catalog("1");
        List<Object> cards = new ArrayList<>((List<?>) priced.get("rateCards"));
        cards.add(Map.of("feature", "q", "currency", "credits", "per", 1, "rate", 1));
        priced.put("rateCards", cards);
        engine().publishCatalog(priced, "contract").get();

        assertThat(creditsOf(consume("q", 3, "inside", id)))
                .as("free, as quoted")
                .isNull();
        assertThat(creditsOf(consume("q", 3, "outside", null))).isEqualByComparingTo("3");
        engine().closeSession(id, new BigDecimal("5")).get();
        assertThat(credits().available())
                .as("only the consume outside was charged")
                .isEqualByComparingTo("97");
        assertThat(used("q")).isEqualByComparingTo("8");
    }

    @Test
    void only_a_flat_price_and_only_a_feature_session_can_be_quoted() throws Exception {
        grant("100", "g");
        for (String feature : List.of("tiered", "by-model", "thirds")) {
            refusedWith("PRICE_NOT_FLAT", () -> open(null, feature, "1", "s-" + feature));
        }
        refusedWith(
                "INVALID_SESSION",
                () -> engine().openSession(
                                "acme",
                                new SessionRequest(
                                        null,
                                        "credits",
                                        null,
                                        BigDecimal.ONE,
                                        Duration.ofSeconds(60),
                                        null,
                                        "currency",
                                        SessionRequest.Pricing.QUOTED)));
        assertThat(priceOf("llm")).isEqualTo(new PriceView("credits", new BigDecimal("0.25")));
        assertThat(priceOf("tiered")).isEqualTo(new PriceView("credits", null));
        assertThat(priceOf("thirds")).as("1/3 has no exact decimal").isEqualTo(new PriceView("credits", null));
        assertThat(priceOf("q")).isNull();
    }

    private @Nullable PriceView priceOf(String feature) {
        for (EntitlementView v : engine().entitlements("acme")) {
            if (v.entitlement().feature().equals(feature)) {
                return v.price();
            }
        }
        throw new AssertionError("no entitlement " + feature);
    }

    @Test
    void a_key_used_to_open_a_session_priced_at_use_is_not_a_quoted_one() throws Exception {
        grant("100", "g");
        SessionView first = open(null, "llm", "4", "k").session();
        assertThat(open(null, "llm", "4", "k").session().session().id())
                .as("a repeat answers the first")
                .isEqualTo(first.session().id());
        refusedWith(
                "IDEMPOTENCY_KEY_REUSED",
                () -> engine().openSession(
                                "acme",
                                new SessionRequest(
                                        null, null, "llm", new BigDecimal("4"), Duration.ofSeconds(60), null, "k")));
    }
}
