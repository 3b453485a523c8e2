package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.EventResult;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionView;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sessions (SPEC §6): a hold on a scope's budgets, a feature or a currency, drawn on by what is consumed and reported
 * in it, closed under or over its hold or expired, on every store.
 */
public abstract class SessionContract extends GovernanceSuite {
    @Test
    void twenty_concurrent_sessions_of_ten_cents_against_a_budget_of_one_open_exactly_ten() throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest("credits", new BigDecimal("100"), false, BigDecimal.ZERO, 0, null, null, "g"))
                .get();
        scope("agents", null);
        budget("agents", "per-job", null, "1.00", Map.of());
        List<SessionOutcome> outcomes =
                Race.run(20, 1, (thread, i) -> open("agents", "credits", null, "0.10", 600, "open-" + thread));
        assertThat(outcomes).hasSize(20);
        assertThat(outcomes.stream().filter(o -> o.session() != null)).hasSize(10);
        assertThat(outcomes.stream().filter(o -> o.refusal() != null))
                .allSatisfy(o -> assertThat(o.refusal().boundBy())
                        .isEqualTo(new BoundBy("budget", null, null, "agents", "per-job")));
        ScopeView.BudgetUsage usage = engine().scopes("acme").get(0).budgets().get(0);
        assertThat(usage.held()).isEqualByComparingTo("1.00");
        assertThat(engine().balances("acme").get(0).held()).isEqualByComparingTo("1.00");
        assertThat(engine().balances("acme").get(0).available()).isEqualByComparingTo("99");
    }

    @Test
    void a_session_caps_what_is_consumed_in_it_at_its_hold_however_much_room_is_left() throws Exception {
        scope("job", null);
        budget("job", "q-cap", "q", "100", Map.of());
        String id = open("job", null, "q", "10", 60, "s1").session().session().id();

        Decision tooMuch = engine().consume(
                        new ConsumeRequest("acme", "q", new BigDecimal("11"), "in-1", null, Map.of(), id))
                .get()
                .value();
        assertThat(tooMuch.reason())
                .as("the budget has 90 more, the session holds 10")
                .isEqualTo(Reason.SESSION_EXHAUSTED);
        assertThat(tooMuch.boundBy()).isEqualTo(new BoundBy("session", "q", null, "job", null, id));
        assertThat(engine().check(new CheckRequest("acme", "q", new BigDecimal("10"), null, Map.of(), id))
                        .allowed())
                .isTrue();
        assertThat(engine().check(new CheckRequest("acme", "q", new BigDecimal("11"), null, Map.of(), id))
                        .reason())
                .isEqualTo(Reason.SESSION_EXHAUSTED);

        assertThat(engine().consume(new ConsumeRequest("acme", "q", new BigDecimal("10"), "in-2", null, Map.of(), id))
                        .get()
                        .value()
                        .allowed())
                .isTrue();
        assertThat(engine().consume(new ConsumeRequest("acme", "q", BigDecimal.ONE, "in-3", null, Map.of(), id))
                        .get()
                        .value()
                        .reason())
                .isEqualTo(Reason.SESSION_EXHAUSTED);
        assertThat(engine().check(new CheckRequest("acme", "q", null, null, Map.of(), id))
                        .allowed())
                .as("no room left in the session")
                .isFalse();
        assertThat(used("job", "q-cap")).as("counted at the session's scope").isEqualByComparingTo("10");
    }

    @Test
    void usage_reported_in_a_session_draws_on_its_hold_and_counts_at_its_scope() throws Exception {
        scope("job", null);
        budget("job", "q-cap", "q", "100", Map.of());
        String id = open("job", null, "q", "10", 60, "s1").session().session().id();

        List<EventResult> results = engine().report(List.of(
                        new UsageEvent("e1", "acme", "q", new BigDecimal("4"), null, Map.of(), null, id),
                        new UsageEvent("e2", "acme", "q", BigDecimal.ONE, null, Map.of(), null, "acme@s99"),
                        new UsageEvent("e3", "acme", "llm", BigDecimal.ONE, null, Map.of(), null, id)))
                .get();
        assertThat(results)
                .extracting(EventResult::reason)
                .containsExactly(null, Reason.SESSION_NOT_FOUND, Reason.SESSION_MISMATCH);
        assertThat(engine().session(id).consumed()).isEqualByComparingTo("4");
        assertThat(engine().session(id).held()).isEqualByComparingTo("6");
        assertThat(used("job", "q-cap")).isEqualByComparingTo("4");

        engine().report(List.of(new UsageEvent("e4", "acme", "q", new BigDecimal("9"), null, Map.of(), null, id)))
                .get();
        assertThat(engine().session(id).held())
                .as("reported usage is never refused; it uses the hold up")
                .isEqualByComparingTo("0");
        assertThat(used("job", "q-cap")).isEqualByComparingTo("13");
        restart();
        assertThat(engine().session(id).held()).isEqualByComparingTo("0");
        assertThat(used("job", "q-cap")).isEqualByComparingTo("13");
    }

    @Test
    void a_session_holds_draws_closes_under_and_over_its_hold_and_expires_unless_extended() throws Exception {
        scope("job", null);
        budget("job", "q-cap", "q", "100", Map.of());
        SessionOutcome opened = open("job", null, "q", "30", 60, "s1");
        String id = opened.session().session().id();
        assertThat(engine().check(new CheckRequest("acme", "q", new BigDecimal("71"), "job", Map.of()))
                        .reason())
                .as("30 of the budget's 100 are held")
                .isEqualTo(Reason.BUDGET_EXCEEDED);

        Decision inside = engine().consume(
                        new ConsumeRequest("acme", "q", new BigDecimal("10"), "in-1", null, Map.of(), id))
                .get()
                .value();
        assertThat(inside.allowed()).isTrue();
        assertThat(engine().session(id).held()).isEqualByComparingTo("20");
        assertThat(engine().session(id).consumed()).isEqualByComparingTo("10");

        SessionView closed =
                engine().closeSession(id, new BigDecimal("25")).get().value();
        assertThat(closed.status()).isEqualTo("closed");
        assertThat(closed.held()).isEqualByComparingTo("0");
        assertThat(used("job", "q-cap")).as("10 inside + 15 reported at close").isEqualByComparingTo("25");
        assertThat(engine().closeSession(id, new BigDecimal("25")).get().replayed())
                .isTrue();

        String over = open("job", null, "q", "10", 60, "s2").session().session().id();
        engine().closeSession(over, new BigDecimal("15")).get();
        assertThat(used("job", "q-cap"))
                .as("an excess over the hold is recorded: the use happened")
                .isEqualByComparingTo("40");

        String fill = open("job", null, "q", "60", 60, "s3").session().session().id();
        Decision exhausted = engine().consume(
                        new ConsumeRequest("acme", "q", new BigDecimal("61"), "in-2", null, Map.of(), fill))
                .get()
                .value();
        assertThat(exhausted.reason()).isEqualTo(Reason.SESSION_EXHAUSTED);
        assertThat(exhausted.boundBy().budget()).isEqualTo("q-cap");

        clock.advance(Duration.ofSeconds(30));
        assertThat(engine().heartbeat(fill, Duration.ofSeconds(90)).get().expiresAt())
                .isEqualTo(clock.instant().plusSeconds(90));
        clock.advance(Duration.ofSeconds(89));
        assertThat(engine().session(fill).status()).isEqualTo("open");
        clock.advance(Duration.ofSeconds(1));
        assertThat(engine().session(fill).status()).isEqualTo("expired");
        assertThat(engine().session(fill).held()).isEqualByComparingTo("0");
        assertThat(engine().check(new CheckRequest("acme", "q", new BigDecimal("60"), "job", Map.of()))
                        .allowed())
                .as("the expired hold no longer counts, with no write")
                .isTrue();
        assertThat(engine().sweep()).as("the sweeper records the expiry").isEqualTo(1);
        assertThatThrownBy(() -> engine().heartbeat(fill, Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("SESSION_CLOSED"));

        restart();
        assertThat(engine().session(fill).status()).isEqualTo("closed");
        assertThat(used("job", "q-cap")).isEqualByComparingTo("40");
    }

    @Test
    void the_sessions_running_now_are_the_open_ones_before_their_deadline() throws Exception {
        scope("job", null);
        String a = open("job", null, "q", "30", 60, "run-a").session().session().id();
        String b = open("job", null, "q", "5", 600, "run-b").session().session().id();
        String c = open("job", null, "q", "7", 600, "run-c").session().session().id();
        engine().consume(new ConsumeRequest("acme", "q", new BigDecimal("2"), "in-b", null, Map.of(), b))
                .get();
        engine().closeSession(c, null).get();

        assertThat(engine().openSessions("acme"))
                .extracting(
                        v -> v.session().id(),
                        SessionView::status,
                        v -> v.held().toPlainString(),
                        v -> v.consumed().toPlainString())
                .containsExactly(tuple(a, "open", "30", "0"), tuple(b, "open", "3", "2"));
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine().openSessions("acme"))
                .as("past its deadline a session runs no more, swept or not")
                .extracting(v -> v.session().id())
                .containsExactly(b);
        restart();
        assertThat(engine().openSessions("acme"))
                .extracting(v -> v.session().id())
                .containsExactly(b);
        assertThatThrownBy(() -> engine().openSessions("nobody"))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("CUSTOMER_NOT_FOUND"));
    }

    @Test
    void issue_15_a_refused_consumption_answers_usage_as_it_stands_as_a_check_does() throws Exception {
        Map<String, String> priced = Map.of("model", "priced");
        grantCredits("3");
        scope("team", null);
        budget("team", "cap", "capped", "2", Map.of());
        assertThat(consume("team", "capped", 1, "first", priced).used()).isEqualByComparingTo("1");
        String session =
                open("team", null, "capped", "1", 60, "s1").session().session().id();

        List<ConsumeRequest> refusedRequests = List.of(
                new ConsumeRequest("acme", "capped", new BigDecimal("5"), "poor", null, priced),
                new ConsumeRequest("acme", "capped", BigDecimal.ONE, "unpriced", null, Map.of("model", "other")),
                new ConsumeRequest("acme", "capped", new BigDecimal("2"), "over-budget", "team", priced),
                new ConsumeRequest("acme", "capped", new BigDecimal("2"), "past-hold", null, priced, session));
        List<Decision> refusals = new ArrayList<>();
        for (ConsumeRequest r : refusedRequests) {
            refusals.add(engine().consume(r).get().value());
        }
        assertThat(refusals)
                .extracting(Decision::reason)
                .containsExactly(
                        Reason.INSUFFICIENT_CREDITS, Reason.UNPRICED, Reason.BUDGET_EXCEEDED, Reason.SESSION_EXHAUSTED);
        for (int i = 0; i < refusals.size(); i++) {
            ConsumeRequest r = refusedRequests.get(i);
            Decision refusal = refusals.get(i);
            assertThat(refusal.used())
                    .as(r.idempotencyKey() + ": nothing was taken")
                    .isEqualByComparingTo("1");
            assertThat(refusal.remaining())
                    .as(r.idempotencyKey() + ": 100 - 1 used - the hold of 1 outside its session")
                    .isEqualByComparingTo(r.sessionId() == null ? "98" : "99");
            assertThat(refusal.overage()).isFalse();
            assertThat(refusal)
                    .as(r.idempotencyKey() + ": what a check of the same request answers")
                    .isEqualTo(engine().check(new CheckRequest(
                            "acme", r.feature(), r.quantity(), r.scope(), r.dimensions(), r.sessionId())));
        }
        SessionOutcome notOpened = open("team", null, "capped", "5", 60, "s2");
        assertThat(notOpened.refusal().reason()).isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(notOpened.refusal().used())
                .as("a refused session holds nothing and used nothing")
                .isEqualByComparingTo("1");
        assertThat(notOpened.refusal().remaining()).isEqualByComparingTo("98");

        restart();
        for (int i = 0; i < refusals.size(); i++) {
            Outcome<Decision> replay = engine().consume(refusedRequests.get(i)).get();
            assertThat(replay.replayed()).isTrue();
            assertThat(replay.value()).as("the first answer, after a restart").isEqualTo(refusals.get(i));
        }
    }

    @Test
    void issue_15_closing_a_currency_session_above_its_consumption_counts_the_settlement_everywhere() throws Exception {
        grantCredits("100");
        scope("team", null);
        budget("team", "credit-cap", null, "5", Map.of());
        String id =
                open("team", "credits", null, "5", 60, "s1").session().session().id();
        assertThat(engine().consume(new ConsumeRequest("acme", "llm", BigDecimal.ONE, "in-1", null, Map.of(), id))
                        .get()
                        .value()
                        .allowed())
                .isTrue();

        SessionView closed =
                engine().closeSession(id, new BigDecimal("3")).get().value();
        assertThat(closed.consumed()).as("1 inside + 2 settled at close").isEqualByComparingTo("3");
        assertSettled(id, "3", "1", "2");
        SessionOutcome tooBig = open("team", "credits", null, "5", 60, "s2");
        assertThat(tooBig.refusal()).as("3 of the budget's 5 are used").isNotNull();
        assertThat(tooBig.refusal().reason()).isEqualTo(Reason.BUDGET_EXCEEDED);

        restart();
        assertSettled(id, "3", "1", "2");
        assertThat(engine().closeSession(id, new BigDecimal("3")).get())
                .as("closing again answers the first close")
                .satisfies(o -> assertThat(o.replayed()).isTrue())
                .satisfies(o -> assertThat(o.value().consumed()).isEqualByComparingTo("3"));
        String small =
                open("team", "credits", null, "2", 60, "s3").session().session().id();
        engine().closeSession(small, new BigDecimal("4")).get();
        assertThat(used("team", "credit-cap"))
                .as("an excess over the hold is recorded past a hard budget: the use happened")
                .isEqualByComparingTo("7");
        assertThat(engine().session(small).consumed()).isEqualByComparingTo("4");
        assertThat(engine().eventLog("acme", 100))
                .as("the settlement took the budget past its 80 % alert")
                .anySatisfy(a -> assertThat(a.dedupKey()).startsWith("budget:team:credit-cap:0.8:"));
        assertThat(engine().usagePeriods("acme", Instant.EPOCH, clock.instant().plusSeconds(1)))
                .as("the billing export per feature and period leaves out settlements, which have no feature")
                .extracting(UsageReport.Period::feature)
                .containsOnly("llm");
    }

    @Test
    void issue_15_closing_a_session_past_its_deadline_settles_whether_or_not_the_sweeper_ran() throws Exception {
        grantCredits("100");
        scope("team", null);
        budget("team", "credit-cap", null, "50", Map.of());
        String swept =
                open("team", "credits", null, "5", 60, "s1").session().session().id();
        String unswept =
                open("team", "credits", null, "5", 60, "s2").session().session().id();
        clock.advance(Duration.ofSeconds(61));
        assertThat(engine().closeSession(unswept, new BigDecimal("3"))
                        .get()
                        .value()
                        .consumed())
                .isEqualByComparingTo("3");
        assertThat(engine().sweep()).isEqualTo(1);

        assertThat(engine().closeSession(swept, new BigDecimal("3"))
                        .get()
                        .value()
                        .consumed())
                .as("the use happened; the deadline only released the hold")
                .isEqualByComparingTo("3");
        assertThat(used("team", "credit-cap")).isEqualByComparingTo("6");
        restart();
        assertThat(used("team", "credit-cap")).isEqualByComparingTo("6");
        assertThat(engine().session(swept).consumed()).isEqualByComparingTo("3");
    }

    @Test
    void issue_15_a_close_above_the_hold_says_so_with_the_excess_and_the_hard_limit_it_went_past() throws Exception {
        grantCredits("10");
        scope("job", null);
        budget("job", "q-cap", "q", "100", Map.of());
        String within =
                open("job", null, "q", "10", 60, "s-within").session().session().id();
        String soft =
                open("job", null, "q", "10", 60, "s-soft").session().session().id();
        String feature = open(null, null, "capped", "5", 60, "s-feature")
                .session()
                .session()
                .id();
        String currency = open(null, "credits", null, "5", 60, "s-currency")
                .session()
                .session()
                .id();
        engine().consume(new ConsumeRequest("acme", "q", new BigDecimal("65"), "pre", "job", Map.of()))
                .get();
        String budgeted =
                open("job", null, "q", "10", 60, "s-budget").session().session().id();

        Map<String, SessionView> closes = new java.util.LinkedHashMap<>();
        closes.put(
                within, engine().closeSession(within, new BigDecimal("3")).get().value());
        closes.put(soft, engine().closeSession(soft, new BigDecimal("15")).get().value());
        closes.put(
                feature,
                engine().closeSession(feature, new BigDecimal("120")).get().value());
        closes.put(
                currency,
                engine().closeSession(currency, new BigDecimal("12")).get().value());
        closes.put(
                budgeted,
                engine().closeSession(budgeted, new BigDecimal("30")).get().value());

        assertThat(closes.get(within).overage()).as("within the hold").isFalse();
        assertThat(closes.get(within).excess()).isNull();
        assertThat(closes.get(within).boundBy()).isNull();
        assertThat(closes.get(soft).overage())
                .as("5 beyond the hold, past no hard limit")
                .isTrue();
        assertThat(closes.get(soft).excess()).isEqualByComparingTo("5");
        assertThat(closes.get(soft).boundBy()).isNull();
        assertThat(closes.get(feature).excess()).isEqualByComparingTo("115");
        assertThat(closes.get(feature).boundBy())
                .as("120 of a hard limit of 100")
                .isEqualTo(BoundBy.feature("capped"));
        assertThat(closes.get(currency).excess()).isEqualByComparingTo("7");
        assertThat(closes.get(currency).boundBy())
                .as("12 credits of a hard balance of 10")
                .isEqualTo(new BoundBy("currency", null, "credits", null, null));
        assertThat(closes.get(budgeted).excess()).isEqualByComparingTo("20");
        assertThat(closes.get(budgeted).boundBy())
                .as("83 used + 30 settled, of the hard budget's 100")
                .isEqualTo(new BoundBy("budget", null, null, "job", "q-cap"));

        for (int round = 0; round < 2; round++) {
            for (Map.Entry<String, SessionView> c : closes.entrySet()) {
                BigDecimal used = c.getKey().equals(within) ? new BigDecimal("3") : BigDecimal.ONE;
                Outcome<SessionView> again =
                        engine().closeSession(c.getKey(), used).get();
                assertThat(again.replayed()).isTrue();
                assertThat(again.value()).as("a replayed close says the same").isEqualTo(c.getValue());
                assertThat(engine().session(c.getKey())).isEqualTo(c.getValue());
            }
            restart();
        }
    }

    @Test
    void a_session_closed_before_the_last_ones_kept_in_memory_still_answers_its_close_and_refuses_use()
            throws Exception {
        grantCredits("100");
        scope("team", null);
        budget("team", "credit-cap", null, "50", Map.of());
        budget("team", "q-cap", "q", "1000", Map.of());
        String holding = open("team", "credits", null, "7", 3600, "holding")
                .session()
                .session()
                .id();
        String held =
                open("team", null, "q", "9", 3600, "held").session().session().id();
        String oldest = open("team", "credits", null, "2", 3600, "s0")
                .session()
                .session()
                .id();
        SessionView firstClose =
                engine().closeSession(oldest, new BigDecimal("3")).get().value();
        for (int i = 1; i <= 300; i++) {
            String id = open("team", null, "q", "1", 3600, "s" + i)
                    .session()
                    .session()
                    .id();
            engine().closeSession(id, null).get();
        }
        assertClosedLongAgo(oldest, firstClose, holding, held);
        restart();
        assertClosedLongAgo(oldest, firstClose, holding, held);
        assertThat(open("team", null, "q", "1", 3600, "next")
                        .session()
                        .session()
                        .id())
                .as("ids keep counting after the closed sessions left memory")
                .isEqualTo("acme@s304");
    }

    /** A session closed long ago answers its first close and refuses use; the holds still open count exactly. */
    private void assertClosedLongAgo(String oldest, SessionView firstClose, String holding, String held)
            throws Exception {
        Outcome<SessionView> again =
                engine().closeSession(oldest, new BigDecimal("3")).get();
        assertThat(again.replayed()).isTrue();
        assertThat(again.value()).as("the first close").isEqualTo(firstClose);
        assertThat(engine().session(oldest)).isEqualTo(firstClose);
        assertThat(engine().report(List.of(
                                new UsageEvent("late", "acme", "llm", BigDecimal.ONE, null, Map.of(), null, oldest)))
                        .get())
                .extracting(EventResult::reason)
                .containsExactly(Reason.SESSION_CLOSED);
        assertThatThrownBy(() -> engine().consume(
                                new ConsumeRequest("acme", "llm", BigDecimal.ONE, "late-1", null, Map.of(), oldest))
                        .get())
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("SESSION_CLOSED"));
        assertThat(engine().balances("acme"))
                .singleElement()
                .satisfies(b ->
                        assertThat(b.held()).as("only the open session holds").isEqualByComparingTo("7"))
                .satisfies(b -> assertThat(b.available()).isEqualByComparingTo("90"));
        assertThat(engine().scopes("acme").stream()
                        .filter(s -> s.scope().id().equals("team"))
                        .flatMap(s -> s.budgets().stream())
                        .collect(java.util.stream.Collectors.toMap(
                                u -> u.budget().key(), u -> u.held().stripTrailingZeros())))
                .isEqualTo(Map.of("credit-cap", new BigDecimal("7"), "q-cap", new BigDecimal("9")));
        assertThat(engine().session(holding).held()).isEqualByComparingTo("7");
        assertThat(engine().session(held).held()).isEqualByComparingTo("9");
    }

    /** The budget, the usage report and the ledger agree that the session used {@code total} credits. */
    private void assertSettled(String sessionId, String total, String inside, String settled) {
        assertThat(engine().session(sessionId).consumed()).isEqualByComparingTo(total);
        assertThat(used("team", "credit-cap")).isEqualByComparingTo(total);
        Instant from = T.minus(Duration.ofDays(1));
        Instant to = T.plus(Duration.ofDays(1));
        assertThat(engine().usage("acme", from, to, List.of("scope"), null))
                .singleElement()
                .satisfies(g -> assertThat(g.group()).containsEntry("scope", "team"))
                .satisfies(g -> assertThat(g.credits().get("credits")).isEqualByComparingTo(total));
        assertThat(engine().usage("acme", from, to, List.of("feature"), null))
                .extracting(
                        g -> g.group().get("feature"),
                        UsageReport.Group::quantity,
                        g -> g.credits().get("credits"))
                .as("the settlement of a currency session has no feature, nor units of one")
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("llm", new BigDecimal(inside), new BigDecimal(inside)),
                        org.assertj.core.groups.Tuple.tuple(null, BigDecimal.ZERO, new BigDecimal(settled)));
        BigDecimal consumed = engine().ledger("acme", null, 0, Integer.MAX_VALUE).stream()
                .filter(l -> l.type() == dev.tollgate.core.credit.EntryType.CONSUME)
                .map(l -> l.amount().negate())
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(consumed).as("the ledger").isEqualByComparingTo(total);
    }

    @Test
    void issue_15_closing_a_feature_session_above_its_consumption_counts_the_settlement_everywhere() throws Exception {
        grantCredits("100");
        scope("team", null);
        budget("team", "llm-cap", "llm", "5", Map.of());
        budget("team", "credit-cap", null, "5", Map.of());
        String id = open("team", null, "llm", "5", 60, "s1").session().session().id();
        engine().consume(new ConsumeRequest("acme", "llm", BigDecimal.ONE, "in-1", null, Map.of(), id))
                .get();

        SessionView closed =
                engine().closeSession(id, new BigDecimal("3")).get().value();
        assertThat(closed.consumed()).isEqualByComparingTo("3");
        for (int run = 0; run < 2; run++) {
            assertThat(engine().session(id).consumed()).isEqualByComparingTo("3");
            assertThat(used("team", "llm-cap")).isEqualByComparingTo("3");
            assertThat(used("team", "credit-cap")).isEqualByComparingTo("3");
            assertThat(engine().usage(
                                    "acme",
                                    T.minus(Duration.ofDays(1)),
                                    T.plus(Duration.ofDays(1)),
                                    List.of("scope", "feature"),
                                    null))
                    .singleElement()
                    .satisfies(g -> assertThat(g.group()).containsEntry("scope", "team"))
                    .satisfies(g -> assertThat(g.group()).containsEntry("feature", "llm"))
                    .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("3"))
                    .satisfies(g -> assertThat(g.credits().get("credits")).isEqualByComparingTo("3"));
            assertThat(open("team", null, "llm", "3", 60, "big-" + run).refusal())
                    .as("3 of 5 used")
                    .isNotNull();
            restart();
        }
    }
}
