package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.Outcome;
import dev.tollgate.core.api.UsageReport;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.BoundBy;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Scope trees and hierarchical budgets (SPEC §6), run on every store: a request is checked against every budget from
 * its scope to the root and recorded on all of them at once; a refusal names the binding scope and budget. Sessions
 * against budgets are {@link SessionContract}'s.
 */
public abstract class GovernanceContract extends GovernanceSuite {
    @Test
    @SuppressWarnings("AssignmentExpression") // each loop consumes until the first refusal, which it keeps
    void an_agent_stops_at_its_own_cap_and_another_at_the_team_cap_while_it_still_has_room() throws Exception {
        scope("team", null);
        scope("agent-1", "team");
        scope("agent-2", "team");
        budget("team", "monthly", "q", "8", Map.of());
        budget("agent-1", "monthly", "q", "3", Map.of());
        budget("agent-2", "monthly", "q", "10", Map.of());

        int first = 0;
        Decision d;
        while ((d = consume("agent-1", "q", 1, "a1-" + first, Map.of())).allowed()) {
            first++;
        }
        assertThat(first).isEqualTo(3);
        assertThat(d.reason()).isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(d.boundBy()).isEqualTo(new BoundBy("budget", null, null, "agent-1", "monthly"));

        int second = 0;
        while ((d = consume("agent-2", "q", 1, "a2-" + second, Map.of())).allowed()) {
            second++;
        }
        assertThat(second).as("the team's 8 minus agent-1's 3").isEqualTo(5);
        assertThat(d.boundBy())
                .as("agent-2 still had room of its own")
                .isEqualTo(new BoundBy("budget", null, null, "team", "monthly"));
        assertThat(used("team", "monthly")).isEqualByComparingTo("8");
        assertThat(used("agent-2", "monthly")).isEqualByComparingTo("5");
        assertThat(engine().check(new CheckRequest("acme", "q", null, "agent-2", Map.of()))
                        .reason())
                .isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(engine().check(new CheckRequest("acme", "q", null, null, Map.of()))
                        .allowed())
                .as("no scope, no budget")
                .isTrue();

        restart();
        assertThat(used("team", "monthly")).isEqualByComparingTo("8");
        assertThat(consume("agent-2", "q", 1, "after-restart", Map.of()).reason())
                .isEqualTo(Reason.BUDGET_EXCEEDED);

        clock.set(Instant.parse("2026-05-01T00:00:00Z"));
        assertThat(used("team", "monthly")).as("a calendar month later").isEqualByComparingTo("0");
        assertThat(consume("agent-2", "q", 1, "may", Map.of()).allowed()).isTrue();
    }

    @Test
    void a_budget_narrowed_to_one_model_counts_only_that_model_in_credits() throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest("credits", new BigDecimal("1000"), false, BigDecimal.ZERO, 0, null, null, "g"))
                .get();
        scope("research", null);
        budget("research", "gpt5", null, "10", Map.of("model", "gpt-5"));

        assertThat(consume("research", "llm", 100, "mini", Map.of("model", "mini"))
                        .allowed())
                .isTrue();
        assertThat(consume("research", "llm", 7, "g1", Map.of("model", "gpt-5")).allowed())
                .isTrue();
        Decision over = consume("research", "llm", 4, "g2", Map.of("model", "gpt-5"));
        assertThat(over.reason()).isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(over.boundBy().budget()).isEqualTo("gpt5");
        assertThat(consume("research", "llm", 3, "g3", Map.of("model", "gpt-5")).allowed())
                .as("the boundary is exact")
                .isTrue();
        assertThat(used("research", "gpt5")).isEqualByComparingTo("10");
    }

    @Test
    void unknown_scopes_are_refused_cycles_too_and_a_move_changes_the_path() throws Exception {
        scope("a", null);
        scope("b", "a");
        scope("c", null);
        budget("a", "cap", "q", "5", Map.of());
        budget("c", "cap", "q", "100", Map.of());

        assertThat(consume("nowhere", "q", 1, "k0", Map.of()).reason()).isEqualTo(Reason.SCOPE_NOT_FOUND);
        assertThatThrownBy(() -> engine().setScope("acme", "a", "team", "b", null))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("SCOPE_CYCLE"));
        assertThatThrownBy(() -> engine().setScope("acme", "x", "team", "missing", null))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("SCOPE_NOT_FOUND"));

        consume("b", "q", 4, "k1", Map.of());
        engine().setScope("acme", "b", "team", "c", null).get();
        consume("b", "q", 4, "k2", Map.of());

        assertThat(used("a", "cap")).isEqualByComparingTo("4");
        assertThat(used("c", "cap")).isEqualByComparingTo("4");
        restart();
        assertThat(used("a", "cap")).isEqualByComparingTo("4");
        assertThat(used("c", "cap")).isEqualByComparingTo("4");
    }

    @Test
    void a_soft_budget_admits_past_its_limit_and_flags_the_overage_naming_itself() throws Exception {
        scope("team", null);
        engine().setBudget(
                        "acme",
                        "team",
                        "soft-cap",
                        new Budget(
                                "soft-cap",
                                null,
                                "q",
                                new BigDecimal("5"),
                                ResetPeriod.MONTH,
                                false,
                                List.of(),
                                Map.of()))
                .get();
        Decision within = consume("team", "q", 5, "k1", Map.of());
        assertThat(within.allowed()).isTrue();
        assertThat(within.overage()).isFalse();
        assertThat(within.boundBy()).isNull();

        Decision past = consume("team", "q", 2, "k2", Map.of());
        assertThat(past.allowed()).isTrue();
        assertThat(past.overage()).isTrue();
        assertThat(past.boundBy()).isEqualTo(new BoundBy("budget", null, null, "team", "soft-cap"));
        assertThat(past.overageQuantity())
                .as("the feature's own overage (billing) is untouched by a budget")
                .isEqualByComparingTo("0");
        assertThat(used("team", "soft-cap")).isEqualByComparingTo("7");
        assertThat(engine().check(new CheckRequest("acme", "q", BigDecimal.ONE, "team", Map.of()))
                        .overage())
                .isTrue();
    }

    @Test
    void usage_is_attributed_by_scope_feature_and_dimension_over_a_time_range() throws Exception {
        engine().grant(
                        "acme",
                        new GrantRequest("credits", new BigDecimal("1000"), false, BigDecimal.ZERO, 0, null, null, "g"))
                .get();
        scope("analytics", null);
        scope("research", null);
        clock.set(Instant.parse("2026-04-11T12:00:00Z"));
        consume("analytics", "llm", 5, "before", Map.of("model", "a"));
        clock.set(Instant.parse("2026-04-12T00:00:00Z"));
        consume("analytics", "llm", 10, "k1", Map.of("model", "a"));
        consume("research", "llm", 20, "k2", Map.of("model", "b"));
        consume("research", "q", 3, "k3", Map.of("model", "b"));
        clock.set(Instant.parse("2026-04-18T23:59:59Z"));
        consume("analytics", "llm", 1, "k4", Map.of("model", "b"));
        clock.set(Instant.parse("2026-04-19T00:00:00Z"));
        consume("analytics", "llm", 100, "after", Map.of("model", "a"));

        Instant from = Instant.parse("2026-04-12T00:00:00Z");
        Instant to = Instant.parse("2026-04-19T00:00:00Z");
        List<UsageReport.Group> byScope = engine().usage("acme", from, to, List.of("scope"), "llm");
        assertThat(byScope)
                .extracting(
                        g -> g.group().get("scope"),
                        g -> g.quantity().toPlainString(),
                        g -> g.credits().get("credits"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("analytics", "11", new BigDecimal("11")),
                        org.assertj.core.groups.Tuple.tuple("research", "20", new BigDecimal("20")));
        List<UsageReport.Group> byModelAndFeature =
                engine().usage("acme", from, to, List.of("dimension.model", "feature"), null);
        assertThat(byModelAndFeature)
                .extracting(g -> g.group().toString(), g -> g.quantity().toPlainString(), UsageReport.Group::events)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("{dimension.model=a, feature=llm}", "10", 1L),
                        org.assertj.core.groups.Tuple.tuple("{dimension.model=b, feature=llm}", "21", 2L),
                        org.assertj.core.groups.Tuple.tuple("{dimension.model=b, feature=q}", "3", 1L));
        assertThat(engine().usage("acme", from, to, List.of(), null))
                .singleElement()
                .satisfies(g -> assertThat(g.quantity()).isEqualByComparingTo("34"));
        assertThatThrownBy(() -> engine().usage("acme", from, to, List.of("colour"), null))
                .isInstanceOfSatisfying(
                        TollgateException.class, e -> assertThat(e.code()).isEqualTo("INVALID_GROUP_BY"));
    }

    @Test
    void threads_at_the_leaves_never_push_an_ancestor_past_its_hard_budget() throws Exception {
        scope("org", null);
        List<String> leaves = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            scope("team-" + t, "org");
            for (int a = 0; a < 4; a++) {
                String leaf = "agent-" + t + "-" + a;
                scope(leaf, "team-" + t);
                budget(leaf, "cap", "q", "1000", Map.of());
                leaves.add(leaf);
            }
            budget("team-" + t, "cap", "q", "1000", Map.of());
        }
        budget("org", "cap", "q", "500", Map.of());
        int threads = 64;
        int each = 12;
        List<CompletableFuture<Outcome<Decision>>> answers = Race.run(
                threads,
                each,
                (thread, i) -> engine().consume(new ConsumeRequest(
                        "acme",
                        "q",
                        BigDecimal.ONE,
                        "t" + thread + "-" + i,
                        leaves.get(thread % leaves.size()),
                        Map.of())));
        int admitted = 0;
        for (CompletableFuture<Outcome<Decision>> a : answers) {
            Decision d = a.get().value();
            if (d.allowed()) {
                admitted++;
            } else {
                assertThat(d.boundBy()).isEqualTo(new BoundBy("budget", null, null, "org", "cap"));
            }
        }
        assertThat(admitted).isEqualTo(500);
        BigDecimal leafSum = BigDecimal.ZERO;
        for (String leaf : leaves) {
            leafSum = leafSum.add(used(leaf, "cap"));
        }
        assertThat(leafSum).as("the leaves add up to the root").isEqualByComparingTo(used("org", "cap"));
        assertThat(used("team-0", "cap").add(used("team-1", "cap"))).isEqualByComparingTo("500");
        assertThat(used("org", "cap")).isEqualByComparingTo("500");
    }
}
