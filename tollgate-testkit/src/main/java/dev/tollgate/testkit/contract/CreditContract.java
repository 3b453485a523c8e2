package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.RefundView;
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
import org.junit.jupiter.api.Test;

/**
 * The credit ledger's rules (SPEC §5) as scenarios with exact balances and entries, run on every store: burn order
 * with ties, hard refusal, soft overdraft paid back, expiry at the exact instant, grants effective mid-period, void,
 * refund after expiry, rate-card pricing, auto-recharge, and exact admission under concurrency. Allotments are
 * {@link AllotmentContract}'s.
 */
public abstract class CreditContract extends CreditSuite {
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
        int n = 1100; // more than the 1024 charges the engine holds per customer
        consumeMany("old-", n);
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

    /**
     * The engine holds fewer idempotency records per customer (128) than charges (1024): a consumption 300 writes back
     * has its record in the store only and its charge still in memory. Its repeated consume replays, it is refunded
     * once, and its repeated refund, 300 writes later, replays.
     */
    @Test
    void a_consumption_whose_record_is_in_the_store_and_whose_charge_is_in_memory_is_refunded_once() throws Exception {
        grant("credits", "5000");
        ConsumeRequest mid = new ConsumeRequest("acme", "llm", new BigDecimal("1000"), "mid", null, Map.of());
        Decision first = engine().consume(mid).get().value();
        consumeMany("later-", 300);

        Outcome<Decision> again = engine().consume(mid).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).isEqualTo(first);
        assertThat(available("credits")).isEqualByComparingTo("4699");
        assertThat(engine().refund("acme", "mid").get().value().refunded()).isEqualByComparingTo("1");
        assertThat(available("credits")).isEqualByComparingTo("4700");

        consumeMany("latest-", 300);
        assertThat(engine().refund("acme", "mid").get().replayed()).isTrue();
        assertThat(available("credits")).as("a repeated refund changes nothing").isEqualByComparingTo("4400");
    }

    /** Consumes 1 credit {@code n} times with the keys {@code prefix} followed by 0 to n - 1, all in flight at once; each must be allowed. */
    private void consumeMany(String prefix, int n) throws Exception {
        List<CompletableFuture<Outcome<Decision>>> consumes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            consumes.add(engine().consume(
                            new ConsumeRequest("acme", "llm", new BigDecimal("1000"), prefix + i, null, Map.of())));
        }
        for (CompletableFuture<Outcome<Decision>> c : consumes) {
            assertThat(c.get().value().allowed()).isTrue();
        }
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
}
