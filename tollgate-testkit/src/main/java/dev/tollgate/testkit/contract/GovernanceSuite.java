package dev.tollgate.testkit.contract;

import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the governance contracts share (SPEC §6): a catalog of a plain, a priced and a dimension-priced feature, the
 * customer {@code acme} on its plan, and the steps their tests take (scopes, budgets, consumptions, sessions, grants).
 */
public abstract class GovernanceSuite extends EngineSuite {
    protected static final Instant T = Instant.parse("2026-04-10T09:00:00Z");
    protected static final Map<String, Object> CATALOG = Map.of(
            "currencies",
            List.of(Map.of("key", "credits", "depletion", "hard")),
            "features",
            List.of(
                    Map.of("key", "q", "type", "metered", "reset", "month"),
                    Map.of("key", "llm", "type", "metered", "reset", "month"),
                    Map.of("key", "capped", "type", "metered", "reset", "month")),
            "rateCards",
            List.of(
                    Map.of("feature", "llm", "currency", "credits", "per", 1, "rate", 1),
                    Map.of(
                            "feature",
                            "capped",
                            "currency",
                            "credits",
                            "per",
                            1,
                            "byDimension",
                            Map.of("model", Map.of("priced", 1)))),
            "plans",
            List.of(Map.of(
                    "key",
                    "p",
                    "entitlements",
                    Map.of(
                            "q",
                            Map.of("limit", "unlimited"),
                            "llm",
                            Map.of("limit", "unlimited"),
                            "capped",
                            Map.of("limit", 100)))));

    protected GovernanceSuite() {
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

    protected void scope(String id, @Nullable String parent) throws Exception {
        engine().setScope("acme", id, parent == null ? "department" : "team", parent, null)
                .get();
    }

    protected void budget(String scope, String key, @Nullable String feature, String limit, Map<String, String> dims)
            throws Exception {
        engine().setBudget(
                        "acme",
                        scope,
                        key,
                        new Budget(
                                key,
                                feature == null ? "credits" : null,
                                feature,
                                new BigDecimal(limit),
                                ResetPeriod.MONTH,
                                true,
                                List.of(new BigDecimal("0.8")),
                                dims))
                .get();
    }

    protected Decision consume(String scope, String feature, long quantity, String key, Map<String, String> dims)
            throws Exception {
        return engine().consume(new ConsumeRequest("acme", feature, BigDecimal.valueOf(quantity), key, scope, dims))
                .get()
                .value();
    }

    protected BigDecimal used(String scope, String budget) {
        return engine().scopes("acme").stream()
                .filter(s -> s.scope().id().equals(scope))
                .flatMap(s -> s.budgets().stream())
                .filter(b -> b.budget().key().equals(budget))
                .map(ScopeView.BudgetUsage::used)
                .findFirst()
                .orElseThrow();
    }

    protected SessionOutcome open(
            String scope, @Nullable String currency, @Nullable String feature, String amount, int ttl, String key)
            throws Exception {
        return engine().openSession(
                        "acme",
                        new SessionRequest(
                                scope, currency, feature, new BigDecimal(amount), Duration.ofSeconds(ttl), null, key))
                .get()
                .value();
    }

    protected void grantCredits(String amount) throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest("credits", new BigDecimal(amount), false, BigDecimal.ZERO, 0, null, null, "g"))
                .get();
    }
}
