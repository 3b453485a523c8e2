package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.RefundView;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.SubscriptionRequest.AddonQuantity;
import dev.tollgate.core.api.SubscriptionRequest.VersionChoice;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The credit ledger's rules (SPEC §5) as scenarios with exact balances and entries, run on every store: burn order
 * with ties, hard refusal, soft overdraft paid back, expiry at the exact instant, allotments at period start, grants
 * effective mid-period, void, refund after expiry, rate-card pricing, auto-recharge, and exact admission under
 * concurrency. After every test the store is verified: balances equal the sum of their entries, remainders stay within
 * their grants, and a replay from empty agrees.
 */
public abstract class CreditContract extends EngineSuite {
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
    private static Map<String, Object> catalog(Object monthlyLlm, int monthlyCredits, int boosterCredits) {
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

    protected CreditContract() {
        super(T, AfterEachTest.VERIFY);
    }

    private int keys;

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(CATALOG, "contract").get();
        customer("acme", "pro");
    }

    private void customer(String id, String plan) throws Exception {
        engine().upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), null)
                .get();
        engine().subscribe(id, new SubscriptionRequest(plan, List.of(), null, null, null))
                .get();
    }

    private GrantView grant(
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

    private GrantView grant(String currency, String amount) throws Exception {
        return grant(currency, amount, false, 0, null, null);
    }

    private Decision consume(String feature, String quantity, String key, Map<String, String> dims) throws Exception {
        return engine().consume(new ConsumeRequest("acme", feature, new BigDecimal(quantity), key, null, dims))
                .get()
                .value();
    }

    private Decision consume(String feature, String quantity, String key) throws Exception {
        return consume(feature, quantity, key, Map.of());
    }

    private BalanceView balance(String currency) {
        return engine().balances("acme").stream()
                .filter(b -> b.currency().equals(currency))
                .findFirst()
                .orElseThrow();
    }

    private BigDecimal available(String currency) {
        return balance(currency).available();
    }

    private BigDecimal remaining(String grantId) {
        return engine().grants("acme", null, false).stream()
                .filter(g -> g.grant().id().equals(grantId))
                .findFirst()
                .orElseThrow()
                .remaining();
    }

    private List<LedgerLine> ledger() {
        return engine().ledger("acme", null, 0, Integer.MAX_VALUE);
    }

    private List<LedgerLine> entriesOf(String key, EntryType type) {
        return ledger().stream()
                .filter(l -> key.equals(l.idempotencyKey()) && l.type() == type)
                .toList();
    }

    @Test
    void burn_order_breaks_every_tie_and_writes_one_entry_per_grant_touched() throws Exception {
        Instant soon = T.plus(Duration.ofDays(5));
        Instant later = T.plus(Duration.ofDays(10));
        String a = grant("credits", "10", false, 1, null, null).grant().id();
        String b = grant("credits", "10", true, 0, null, later).grant().id();
        String c = grant("credits", "10", false, 0, null, soon).grant().id();
        String d = grant("credits", "10", true, 0, null, soon).grant().id();
        String e = grant("credits", "10", true, 0, T.minus(Duration.ofDays(1)), soon)
                .grant()
                .id();
        String f = grant("credits", "10", true, 0, null, soon).grant().id();

        Decision spent = consume("images", "25", "burn");

        assertThat(spent.allowed()).isTrue();
        assertThat(spent.credit().credits())
                .as("10 at 2 + 10 at 1 + 5 at the last tier's 1")
                .isEqualByComparingTo("35");
        List<LedgerLine> lines = entriesOf("burn", EntryType.CONSUME);
        assertThat(lines).extracting(LedgerLine::grantId).containsExactly(e, d, f, c);
        assertThat(lines).extracting(l -> l.amount().toPlainString()).containsExactly("-10", "-10", "-10", "-5");
        assertThat(remaining(c)).isEqualByComparingTo("5");
        assertThat(remaining(b)).isEqualByComparingTo("10");
        assertThat(remaining(a)).isEqualByComparingTo("10");
        assertThat(available("credits")).isEqualByComparingTo("25");
        assertThat(lines.get(3).balanceAfter()).isEqualByComparingTo("25");
    }

    @Test
    void a_hard_currency_refuses_what_it_cannot_cover_in_full_and_takes_nothing() throws Exception {
        grant("credits", "10");

        Decision refused = consume("llm", "2200", "too-much", Map.of("model", "gpt-4o"));

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);
        assertThat(refused.boundBy().currency()).isEqualTo("credits");
        assertThat(refused.credit().credits()).isEqualByComparingTo("11");
        assertThat(available("credits")).isEqualByComparingTo("10");
        assertThat(entriesOf("too-much", EntryType.CONSUME)).isEmpty();
        assertThat(engine().check(new CheckRequest("acme", "llm", null, null, Map.of()))
                        .used())
                .isEqualByComparingTo("0");

        Decision fits = consume("llm", "2000", "fits", Map.of("model", "gpt-4o"));
        assertThat(fits.allowed()).isTrue();
        assertThat(fits.credit().balance()).isEqualByComparingTo("0");
    }

    @Test
    void soft_overdraft_is_paid_back_by_a_smaller_then_a_larger_grant() throws Exception {
        String first = grant("tokens", "3").grant().id();

        Decision over = consume("calls", "10", "over");

        assertThat(over.allowed()).isTrue();
        assertThat(over.credit().balance()).isEqualByComparingTo("-7");
        assertThat(entriesOf("over", EntryType.CONSUME))
                .extracting(LedgerLine::grantId, l -> l.amount().toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(first, "-3"),
                        org.assertj.core.groups.Tuple.tuple(null, "-7"));
        assertThat(balance("tokens").overdraft()).isEqualByComparingTo("7");

        String small = grant("tokens", "5").grant().id();
        assertThat(available("tokens")).isEqualByComparingTo("-2");
        assertThat(balance("tokens").overdraft()).isEqualByComparingTo("2");
        assertThat(remaining(small)).isEqualByComparingTo("0");

        String large = grant("tokens", "10").grant().id();
        assertThat(available("tokens")).isEqualByComparingTo("8");
        assertThat(balance("tokens").overdraft()).isEqualByComparingTo("0");
        assertThat(remaining(large)).isEqualByComparingTo("8");
        List<LedgerLine> repaid = ledger().stream()
                .filter(l -> l.type() == EntryType.OVERDRAFT_REPAID)
                .toList();
        assertThat(repaid)
                .extracting(LedgerLine::grantId, l -> l.amount().toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(small, "-5"),
                        org.assertj.core.groups.Tuple.tuple(null, "5"),
                        org.assertj.core.groups.Tuple.tuple(large, "-2"),
                        org.assertj.core.groups.Tuple.tuple(null, "2"));
        assertThat(balance("tokens").balance()).isEqualByComparingTo("8");
    }

    @Test
    void a_grant_stops_counting_exactly_at_expires_at_and_the_expiry_is_in_the_ledger() throws Exception {
        Instant end = T.plus(Duration.ofHours(1));
        String g = grant("credits", "10", false, 0, null, end).grant().id();

        clock.set(end.minusMillis(1));
        assertThat(available("credits")).isEqualByComparingTo("10");
        clock.set(end);
        assertThat(available("credits"))
                .as("no write since: the read alone excludes it")
                .isEqualByComparingTo("0");
        assertThat(engine().grants("acme", "credits", false))
                .singleElement()
                .satisfies(v -> assertThat(v.status()).isEqualTo("expired"));
        Decision refused = consume("images", "1", "after-expiry");
        assertThat(refused.reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);

        List<LedgerLine> expiry =
                ledger().stream().filter(l -> l.type() == EntryType.EXPIRE).toList();
        assertThat(expiry).singleElement().satisfies(l -> {
            assertThat(l.grantId()).isEqualTo(g);
            assertThat(l.amount()).isEqualByComparingTo("-10");
            assertThat(l.time()).isEqualTo(end);
        });
    }

    @Test
    void an_allotment_expiring_at_the_period_reset_gives_way_to_the_next_one_at_that_instant() throws Exception {
        customer("monthly-co", "monthly");
        Instant reset = Instant.parse("2026-02-06T12:00:00Z");
        BigDecimal atStart = engine().balances("monthly-co").get(0).available();
        assertThat(atStart).as("issued at the period start, before any write").isEqualByComparingTo("100");
        Decision spent = engine().consume(
                        new ConsumeRequest("monthly-co", "llm", new BigDecimal("30000"), "m1", null, Map.of()))
                .get()
                .value();
        assertThat(spent.credit().balance()).isEqualByComparingTo("70");

        clock.set(reset.minusNanos(1));
        assertThat(engine().balances("monthly-co").get(0).available()).isEqualByComparingTo("70");
        clock.set(reset);
        assertThat(engine().balances("monthly-co").get(0).available())
                .as("the old remainder expired, the new allotment began, at the same instant")
                .isEqualByComparingTo("100");

        engine().consume(new ConsumeRequest("monthly-co", "llm", new BigDecimal("1000"), "m2", null, Map.of()))
                .get();
        List<LedgerLine> lines = engine().ledger("monthly-co", null, 0, 100);
        assertThat(lines)
                .extracting(LedgerLine::type, l -> l.amount().toPlainString(), LedgerLine::time)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EntryType.GRANT, "100", T),
                        org.assertj.core.groups.Tuple.tuple(EntryType.CONSUME, "-30", T),
                        org.assertj.core.groups.Tuple.tuple(EntryType.EXPIRE, "-70", reset),
                        org.assertj.core.groups.Tuple.tuple(EntryType.GRANT, "100", reset),
                        org.assertj.core.groups.Tuple.tuple(EntryType.CONSUME, "-1", reset));
    }

    @Test
    void add_on_allotments_scale_with_quantity_and_accumulate_when_they_never_expire() throws Exception {
        engine().subscribe(
                        "acme",
                        new SubscriptionRequest(
                                "pro", List.of(new SubscriptionRequest.AddonQuantity("booster", 3)), null, null, null))
                .get();
        assertThat(available("credits")).as("3 × 50 at once").isEqualByComparingTo("150");
        assertThat(engine().grants("acme", "credits", false)).singleElement().satisfies(g -> {
            assertThat(g.grant().source()).isEqualTo("allotment");
            assertThat(g.grant().promotional()).isFalse();
            assertThat(g.grant().expiresAt()).isNull();
        });

        clock.set(Instant.parse("2026-03-06T12:00:00Z"));
        assertThat(available("credits")).as("February's and March's too").isEqualByComparingTo("450");
    }

    @Test
    void a_grant_effective_mid_period_counts_from_that_instant() throws Exception {
        Instant from = T.plus(Duration.ofDays(12));
        GrantView g = grant("credits", "50", false, 0, from, null);

        assertThat(g.status()).isEqualTo("pending");
        assertThat(available("credits")).isEqualByComparingTo("0");
        assertThat(balance("credits").balance())
                .as("the ledger has the grant already")
                .isEqualByComparingTo("50");
        assertThat(consume("images", "1", "too-early").reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);

        clock.set(from);
        assertThat(available("credits")).isEqualByComparingTo("50");
        assertThat(consume("images", "1", "in-time").allowed()).isTrue();
        assertThat(available("credits")).isEqualByComparingTo("48");
    }

    @Test
    void void_takes_the_remainder_and_a_repeated_void_answers_the_first() throws Exception {
        String g = grant("credits", "10").grant().id();
        consume("images", "2", "before-void");

        Outcome<GrantView> voided = engine().voidGrant("acme", g).get();
        Outcome<GrantView> again = engine().voidGrant("acme", g).get();

        assertThat(voided.value().status()).isEqualTo("voided");
        assertThat(voided.value().remaining()).isEqualByComparingTo("0");
        assertThat(again.replayed()).isTrue();
        assertThat(available("credits")).isEqualByComparingTo("0");
        assertThat(ledger().stream().filter(l -> l.type() == EntryType.VOID))
                .singleElement()
                .satisfies(l -> assertThat(l.amount()).isEqualByComparingTo("-6"));
        RefundView refund = engine().refund("acme", "before-void").get().value();
        assertThat(refund.refunded())
                .as("credits never go back to a voided grant")
                .isEqualByComparingTo("0");
        assertThat(refund.forfeited()).isEqualByComparingTo("4");
        assertThatThrownBy(() -> engine().voidGrant("acme", "g404"))
                .isInstanceOfSatisfying(
                        TollgateException.class, x -> assertThat(x.code()).isEqualTo("GRANT_NOT_FOUND"));
    }

    @Test
    void a_refund_returns_credits_in_reverse_except_to_grants_expired_since() throws Exception {
        String expiring = grant("credits", "10", false, 0, null, T.plus(Duration.ofDays(1)))
                .grant()
                .id();
        String lasting = grant("credits", "10").grant().id();
        consume("images", "10", "spend"); // 20 credits: the sooner-expiring grant burns first
        assertThat(remaining(expiring)).isEqualByComparingTo("0");
        assertThat(remaining(lasting)).isEqualByComparingTo("0");

        clock.advance(Duration.ofDays(2));
        Outcome<RefundView> refund = engine().refund("acme", "spend").get();

        assertThat(refund.value().refunded()).isEqualByComparingTo("10");
        assertThat(refund.value().forfeited()).isEqualByComparingTo("10");
        assertThat(remaining(lasting)).isEqualByComparingTo("10");
        assertThat(available("credits")).isEqualByComparingTo("10");
        assertThat(entriesOf("spend", EntryType.REFUND))
                .extracting(LedgerLine::grantId)
                .containsExactly(lasting);
        assertThat(engine().refund("acme", "spend").get().replayed()).isTrue();
        assertThat(available("credits")).as("a repeated refund changes nothing").isEqualByComparingTo("10");
    }

    /**
     * The engine holds only the last charges in memory (before, every priced consumption stayed there for the life of
     * the process); an older one is refunded from the store, before and after a restart.
     */
    @Test
    void a_consumption_charged_long_ago_is_refunded_from_the_store() throws Exception {
        String g = grant("credits", "5000").grant().id();
        int n = 1100;
        List<CompletableFuture<Outcome<Decision>>> consumes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            consumes.add(engine().consume(
                            new ConsumeRequest("acme", "llm", new BigDecimal("1000"), "old-" + i, null, Map.of())));
        }
        for (CompletableFuture<Outcome<Decision>> c : consumes) {
            assertThat(c.get().value().allowed()).isTrue();
        }
        assertThat(available("credits")).isEqualByComparingTo("3900");

        RefundView first = engine().refund("acme", "old-0").get().value();
        assertThat(first.refunded()).isEqualByComparingTo("1");
        assertThat(remaining(g)).isEqualByComparingTo("3901");
        assertThat(engine().refund("acme", "old-0").get().replayed()).isTrue();

        restart();
        assertThat(engine().refund("acme", "old-1").get().value().refunded()).isEqualByComparingTo("1");
        assertThat(engine().refund("acme", "old-" + (n - 1)).get().value().refunded())
                .isEqualByComparingTo("1");
        assertThat(available("credits")).isEqualByComparingTo("3903");
        assertThatThrownBy(() -> engine().refund("acme", "never-sent"))
                .isInstanceOfSatisfying(
                        TollgateException.class, x -> assertThat(x.code()).isEqualTo("CONSUMPTION_NOT_FOUND"));
    }

    /** Found by the ledger simulation (seed 5): a refund left grant and overdraft side by side until the next write. */
    @Test
    void a_refund_into_an_overdrawn_account_pays_the_overdraft_back_at_once() throws Exception {
        String g = grant("tokens", "10").grant().id();
        consume("calls", "8", "first");
        consume("calls", "12", "second"); // 2 from the grant, 10 overdrawn
        assertThat(balance("tokens").overdraft()).isEqualByComparingTo("10");

        engine().refund("acme", "first").get();

        assertThat(balance("tokens").overdraft())
                .as("8 back to the grant pay 8 of the 10")
                .isEqualByComparingTo("2");
        assertThat(remaining(g)).isEqualByComparingTo("0");
        assertThat(available("tokens")).isEqualByComparingTo("-2");
        assertThat(ledger().get(ledger().size() - 1).type())
                .as("the repayment is in the ledger, not only in the read view")
                .isEqualTo(EntryType.OVERDRAFT_REPAID);
    }

    @Test
    void rate_cards_price_by_dimension_default_and_tier_and_refuse_what_has_no_price() throws Exception {
        grant("credits", "1000");

        assertThat(consume("llm", "2000", "d1", Map.of("model", "gpt-4o"))
                        .credit()
                        .credits())
                .isEqualByComparingTo("10");
        assertThat(consume("llm", "1000", "d2", Map.of("model", "mini"))
                        .credit()
                        .credits())
                .isEqualByComparingTo("0.3");
        assertThat(consume("llm", "2000", "d3", Map.of("model", "other"))
                        .credit()
                        .credits())
                .as("the default rate")
                .isEqualByComparingTo("2");
        assertThat(consume("images", "8", "t1").credit().credits()).isEqualByComparingTo("16");
        assertThat(consume("images", "4", "t2").credit().credits())
                .as("2 more at 2, then 2 at 1")
                .isEqualByComparingTo("6");
        Decision unpriced = consume("search", "1", "u1", Map.of("engine", "images"));
        assertThat(unpriced.allowed()).isFalse();
        assertThat(unpriced.reason()).isEqualTo(Reason.UNPRICED);
        assertThat(consume("search", "3", "u2", Map.of("engine", "web"))
                        .credit()
                        .credits())
                .isEqualByComparingTo("6");
        assertThat(available("credits")).isEqualByComparingTo("959.7");
        List<EventResult> events = engine().report(List.of(
                        new UsageEvent("e1", "acme", "search", BigDecimal.ONE, null, Map.of(), null),
                        new UsageEvent("e2", "acme", "llm", new BigDecimal("500"), null, Map.of(), null)))
                .get();
        assertThat(events)
                .extracting(EventResult::status, EventResult::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.REJECTED, Reason.UNPRICED),
                        org.assertj.core.groups.Tuple.tuple(EventResult.Status.ACCEPTED, null));
        assertThat(available("credits")).isEqualByComparingTo("959.2");
    }

    @Test
    void auto_recharge_restores_the_target_in_increments_once_per_trigger_up_to_its_cap() throws Exception {
        grant("credits", "30");
        engine().setAutoRecharge(
                        "acme",
                        "credits",
                        new AutoRecharge(
                                "credits",
                                new BigDecimal("20"),
                                new BigDecimal("100"),
                                new BigDecimal("50"),
                                new BigDecimal("0.02"),
                                2,
                                null))
                .get();

        Decision first = consume("images", "8", "r1");
        assertThat(first.credit().balance())
                .as("after the charge, before the recharge")
                .isEqualByComparingTo("14");
        assertThat(available("credits")).as("14 + ceil(86 / 50) * 50").isEqualByComparingTo("114");
        assertThat(consume("images", "8", "r1").credit().balance()).isEqualByComparingTo("14");
        assertThat(available("credits"))
                .as("a replayed trigger recharges nothing")
                .isEqualByComparingTo("114");

        consume("images", "12", "r2");
        consume("images", "40", "r3");
        consume("images", "60", "r4");
        consume("images", "60", "r5");
        Decision capped = consume("images", "30", "r6");
        assertThat(capped.credit().balance()).isEqualByComparingTo("10");
        assertThat(available("credits"))
                .as("the cap switched recharging off for this period")
                .isEqualByComparingTo("10");
        List<GrantView> recharges = engine().grants("acme", "credits", false).stream()
                .filter(g -> g.grant().source().equals("recharge"))
                .toList();
        assertThat(recharges).as("at most 2 per period").hasSize(2);
        assertThat(recharges.get(0).grant().costBasis()).isEqualByComparingTo("0.02");
        assertThat(recharges.get(0).grant().reference()).isEqualTo("r1");
        assertThat(ledger().stream()
                        .filter(l -> l.type() == EntryType.GRANT && "recharge".equals(l.source()))
                        .map(LedgerLine::idempotencyKey))
                .containsExactly("r1", recharges.get(1).grant().reference());
    }

    @Test
    void many_threads_never_overdraw_a_hard_currency_and_a_restart_agrees() throws Exception {
        grant("credits", "1000");
        int threads = 16;
        int each = 100;
        List<CompletableFuture<Outcome<Decision>>> answers = Race.run(
                threads,
                each,
                (thread, i) -> engine().consume(new ConsumeRequest(
                        "acme", "llm", new BigDecimal("1000"), "c" + thread + "-" + i, null, Map.of())));
        int admitted = 0;
        for (CompletableFuture<Outcome<Decision>> a : answers) {
            Decision d = a.get().value();
            if (d.allowed()) {
                admitted++;
            } else {
                assertThat(d.reason()).isEqualTo(Reason.INSUFFICIENT_CREDITS);
            }
        }
        assertThat(admitted)
                .as("1000 credits at 1 credit per call: exactly 1000 admitted")
                .isEqualTo(1000);
        assertThat(available("credits")).isEqualByComparingTo("0");

        restart();
        assertThat(available("credits")).isEqualByComparingTo("0");
        assertThat(balance("credits").balance()).isEqualByComparingTo("0");
        assertThat(ledger()).hasSize(1 + 1000);
    }

    private void subscribe(String customer, SubscriptionRequest request) throws Exception {
        engine().subscribe(customer, request).get();
    }

    private void toMonthly(@Nullable VersionChoice version) throws Exception {
        subscribe("monthly-co", new SubscriptionRequest("monthly", version, List.of(), null, null, null));
    }

    private BigDecimal creditsOf(String customer) {
        return engine().balances(customer).stream()
                .filter(b -> b.currency().equals("credits"))
                .findFirst()
                .orElseThrow()
                .available();
    }

    /** The amounts of the allotment grants effective at {@code at}. */
    private List<String> allotted(String customer, Instant at) {
        return engine().grants(customer, "credits", false).stream()
                .filter(g -> g.grant().source().equals("allotment")
                        && g.grant().effectiveAt().equals(at))
                .map(g -> g.grant().amount().toPlainString())
                .toList();
    }

    @Test
    void moving_to_another_version_of_the_plan_mid_period_grants_the_period_allotment_once() throws Exception {
        customer("monthly-co", "monthly");
        engine().consume(new ConsumeRequest("monthly-co", "llm", new BigDecimal("30000"), "m1", null, Map.of()))
                .get();
        engine().publishCatalog(catalog(1_000_000, 100, 50), "contract").get();
        clock.advance(Duration.ofDays(3));

        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co")).as("v1 -> v2, same allotment").isEqualByComparingTo("70");
        toMonthly(VersionChoice.of(1));
        toMonthly(VersionChoice.of(2));
        assertThat(creditsOf("monthly-co")).as("back and forth").isEqualByComparingTo("70");
        restart();
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("70");
        toMonthly(VersionChoice.of(1));
        assertThat(creditsOf("monthly-co")).as("after a restart").isEqualByComparingTo("70");
        assertThat(allotted("monthly-co", T)).containsExactly("100");

        Instant february = Instant.parse("2026-02-06T12:00:00Z");
        clock.set(february);
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("100");
        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("100");
        assertThat(allotted("monthly-co", february)).containsExactly("100");
    }

    @Test
    void a_larger_allotment_on_the_new_version_tops_up_the_period_and_a_smaller_one_takes_nothing_back()
            throws Exception {
        customer("monthly-co", "monthly");
        engine().publishCatalog(catalog("unlimited", 250, 50), "contract").get();

        toMonthly(VersionChoice.LATEST);
        assertThat(creditsOf("monthly-co"))
                .as("100 of v1, then 150 more for v2's 250")
                .isEqualByComparingTo("250");
        assertThat(allotted("monthly-co", T)).containsExactly("100", "150");
        toMonthly(VersionChoice.of(1));
        toMonthly(VersionChoice.of(2));
        restart();
        assertThat(creditsOf("monthly-co")).as("never more than the largest").isEqualByComparingTo("250");

        toMonthly(VersionChoice.of(1));
        Instant february = Instant.parse("2026-02-06T12:00:00Z");
        clock.set(february);
        assertThat(creditsOf("monthly-co")).as("February on v1").isEqualByComparingTo("100");
        toMonthly(VersionChoice.of(2));
        assertThat(creditsOf("monthly-co")).isEqualByComparingTo("250");
        assertThat(allotted("monthly-co", february)).containsExactly("100", "150");

        engine().upsertCustomer("big-first", new CustomerUpdate("b", Map.of(), null), null)
                .get();
        subscribe("big-first", new SubscriptionRequest("monthly", List.of(), null, null, null));
        assertThat(creditsOf("big-first")).isEqualByComparingTo("250");
        subscribe("big-first", new SubscriptionRequest("monthly", VersionChoice.of(1), List.of(), null, null, null));
        assertThat(creditsOf("big-first")).as("a smaller version adds nothing").isEqualByComparingTo("250");
    }

    @Test
    void an_add_on_re_sent_grants_its_allotment_once_and_a_larger_quantity_tops_it_up() throws Exception {
        List<Integer> quantities = List.of(3, 3, 4, 2, 4);
        for (int quantity : quantities) {
            subscribe(
                    "acme",
                    new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", quantity)), null, null, null));
        }
        assertThat(available("credits")).as("the largest quantity held: 4 × 50").isEqualByComparingTo("200");
        restart();
        assertThat(available("credits")).isEqualByComparingTo("200");
        assertThat(allotted("acme", T)).containsExactly("150", "50");

        clock.set(Instant.parse("2026-02-06T12:00:00Z"));
        assertThat(available("credits")).as("February: 4 × 50 more").isEqualByComparingTo("400");
    }

    @Test
    void a_trial_then_the_paid_plan_grants_the_period_allotment_once() throws Exception {
        engine().upsertCustomer("trial-co", new CustomerUpdate("t", Map.of(), null), null)
                .get();
        subscribe(
                "trial-co",
                new SubscriptionRequest(
                        "monthly", List.of(), new SubscriptionRequest.TrialRequest(null, 7), null, null));
        assertThat(creditsOf("trial-co")).isEqualByComparingTo("100");
        clock.advance(Duration.ofDays(2));
        subscribe("trial-co", new SubscriptionRequest("monthly", List.of(), null, null, null));
        assertThat(creditsOf("trial-co")).isEqualByComparingTo("100");
        assertThat(allotted("trial-co", T)).containsExactly("100");
    }

    @Test
    void a_subscription_change_first_records_the_allotments_due_under_the_one_it_replaces() throws Exception {
        subscribe("acme", new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", 1)), null, null, null));
        clock.set(Instant.parse("2026-03-10T12:00:00Z"));
        assertThat(available("credits")).as("January's, February's and March's").isEqualByComparingTo("150");

        subscribe("acme", new SubscriptionRequest("pro", List.of(new AddonQuantity("booster", 2)), null, null, null));

        assertThat(available("credits"))
                .as("the three months, then March's second unit")
                .isEqualByComparingTo("200");
        restart();
        assertThat(available("credits")).isEqualByComparingTo("200");
    }
}
