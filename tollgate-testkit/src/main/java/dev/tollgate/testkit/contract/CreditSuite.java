package dev.tollgate.testkit.contract;

import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the credit contracts share (SPEC §5): a catalog of plans, add-ons and currencies, an engine on a clock set to
 * {@link #T}, and the steps their tests take (customers, grants, consumptions, balances, the ledger). After every test
 * the store is verified: balances equal the sum of their entries, remainders stay within their grants, and a replay
 * from empty agrees.
 */
public abstract class CreditSuite extends EngineSuite {
    /** A Tuesday in January at noon; subscriptions anchored here renew on the 6th. */
    protected static final Instant T = Instant.parse("2026-01-06T12:00:00Z");

    private static final Map<String, Object> CATALOG = catalog("unlimited", 100, 50);

    /**
     * The suite's catalog. Another value of a parameter publishes another version of the plan or add-on it belongs to.
     *
     * @param monthlyLlm the {@code llm} limit of plan {@code monthly}
     * @param monthlyCredits the credits plan {@code monthly} allots each month (promotional, expiring at period end)
     * @param boosterCredits the credits add-on {@code booster} allots each month per unit (paid, never expiring)
     */
    protected static Map<String, Object> catalog(Object monthlyLlm, int monthlyCredits, int boosterCredits) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard"), Map.of("key", "tokens", "depletion", "soft")),
                "features",
                List.of(
                        Map.of("key", "llm", "type", "metered", "reset", "month"),
                        Map.of("key", "calls", "type", "metered", "reset", "month"),
                        Map.of("key", "images", "type", "metered", "reset", "month"),
                        Map.of("key", "search", "type", "metered", "reset", "month")),
                "rateCards",
                List.of(
                        Map.of(
                                "feature",
                                "llm",
                                "currency",
                                "credits",
                                "per",
                                1000,
                                "rate",
                                1,
                                "byDimension",
                                Map.of("model", Map.of("gpt-4o", 5, "mini", new BigDecimal("0.3")))),
                        Map.of("feature", "calls", "currency", "tokens", "per", 1, "rate", 1),
                        Map.of(
                                "feature",
                                "images",
                                "currency",
                                "credits",
                                "per",
                                1,
                                "tiers",
                                List.of(Map.of("upTo", 10, "rate", 2), Map.of("upTo", 20, "rate", 1))),
                        Map.of(
                                "feature",
                                "search",
                                "currency",
                                "credits",
                                "per",
                                1,
                                "byDimension",
                                Map.of("engine", Map.of("web", 2)))),
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "pro",
                                "entitlements",
                                Map.of(
                                        "llm", Map.of("limit", "unlimited"),
                                        "calls", Map.of("limit", "unlimited"),
                                        "images", Map.of("limit", "unlimited"),
                                        "search", Map.of("limit", "unlimited"))),
                        Map.of(
                                "key",
                                "monthly",
                                "entitlements",
                                Map.of("llm", Map.of("limit", monthlyLlm)),
                                "credits",
                                List.of(Map.of(
                                        "currency",
                                        "credits",
                                        "amount",
                                        monthlyCredits,
                                        "every",
                                        "month",
                                        "category",
                                        "promotional",
                                        "expires",
                                        "period-end")))),
                "addons",
                List.of(Map.of(
                        "key",
                        "booster",
                        "credits",
                        List.of(Map.of(
                                "currency",
                                "credits",
                                "amount",
                                boosterCredits,
                                "every",
                                "month",
                                "category",
                                "paid",
                                "expires",
                                "never")))));
    }

    protected CreditSuite() {
        super(T, AfterEachTest.VERIFY);
    }

    protected int keys;

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        customer("acme", "pro");
    }

    protected void customer(String id, String plan) throws Exception {
        engine().upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), null)
                .get();
        engine().subscribe(id, new SubscriptionRequest(plan, List.of(), null, null, null))
                .get();
    }

    protected GrantView grant(
            String currency,
            String amount,
            boolean promotional,
            int priority,
            @Nullable Instant effectiveAt,
            @Nullable Instant expiresAt)
            throws Exception {
        return engine().grant(
                        "acme",
                        new GrantRequest(
                                currency,
                                new BigDecimal(amount),
                                promotional,
                                promotional ? BigDecimal.ZERO : new BigDecimal("0.01"),
                                priority,
                                effectiveAt,
                                expiresAt,
                                "grant-" + ++keys))
                .get()
                .value();
    }

    protected GrantView grant(String currency, String amount) throws Exception {
        return grant(currency, amount, false, 0, null, null);
    }

    protected Decision consume(String feature, String quantity, String key, Map<String, String> dims) throws Exception {
        return engine().consume(new ConsumeRequest("acme", feature, new BigDecimal(quantity), key, null, dims))
                .get()
                .value();
    }

    protected Decision consume(String feature, String quantity, String key) throws Exception {
        return consume(feature, quantity, key, Map.of());
    }

    protected BalanceView balance(String currency) {
        return engine().balances("acme").stream()
                .filter(b -> b.currency().equals(currency))
                .findFirst()
                .orElseThrow();
    }

    protected BigDecimal available(String currency) {
        return balance(currency).available();
    }

    protected BigDecimal remaining(String grantId) {
        return engine().grants("acme", null, false).stream()
                .filter(g -> g.grant().id().equals(grantId))
                .findFirst()
                .orElseThrow()
                .remaining();
    }

    protected List<LedgerLine> ledger() {
        return engine().ledger("acme", null, 0, Integer.MAX_VALUE);
    }

    protected List<LedgerLine> entriesOf(String key, EntryType type) {
        return ledger().stream()
                .filter(l -> key.equals(l.idempotencyKey()) && l.type() == type)
                .toList();
    }
}
