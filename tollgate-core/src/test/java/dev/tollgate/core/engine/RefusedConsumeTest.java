package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Reason;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CheckRequest;
import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.SessionOutcome;
import dev.tollgate.core.api.SessionRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A refused consumption answers the usage figures a check of the same request answers (as they stand: nothing was
 * taken), and all of the check's answer when the check refuses it for the same reason, on random states and requests: limits hard, soft and unlimited, prices, a hard currency, budgets, sessions.
 * Seeded; {@code -Dtollgate.seed=} replays a failure.
 */
final class RefusedConsumeTest {
    private static final Instant T = Instant.parse("2026-01-06T10:00:00Z");
    private static final List<String> FEATURES = List.of("hard", "soft", "unl", "priced", "flag");

    private static Map<String, Object> catalog(Random r) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "features",
                List.of(
                        Map.of("key", "hard", "type", "metered", "reset", "month"),
                        Map.of("key", "soft", "type", "metered", "reset", "day"),
                        Map.of("key", "unl", "type", "metered", "reset", "month"),
                        Map.of("key", "priced", "type", "metered", "reset", "month"),
                        Map.of("key", "flag", "type", "boolean")),
                "rateCards",
                List.of(Map.of(
                        "feature",
                        "priced",
                        "currency",
                        "credits",
                        "per",
                        1,
                        "byDimension",
                        Map.of("model", Map.of("a", 1, "b", new BigDecimal("2.5"))))),
                "plans",
                List.of(Map.of(
                        "key",
                        "p",
                        "entitlements",
                        Map.of(
                                "hard", Map.of("limit", r.nextInt(12)),
                                "soft", Map.of("limit", r.nextInt(8), "enforcement", "soft"),
                                "unl", Map.of("limit", "unlimited"),
                                "priced", Map.of("limit", r.nextInt(16)),
                                "flag", Map.of("enabled", true)))));
    }

    @Test
    void issue_15_review_a_refused_consumption_answers_what_a_check_answers() throws Exception {
        long seed = Long.getLong("tollgate.seed", System.nanoTime());
        Random r = new Random(seed);
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        for (int run = 0; run < 40; run++) {
            Engine engine = Engine.start(new ListStore(), InstantSource.fixed(T), null);
            try {
                List<String> sessions = setUp(engine, r, "r" + run);
                for (int i = 0; i < 60; i++) {
                    String feature = FEATURES.get(r.nextInt(FEATURES.size()));
                    BigDecimal quantity =
                            r.nextInt(4) == 0 ? new BigDecimal("0.5") : BigDecimal.valueOf(1 + r.nextInt(4));
                    String scope = List.of("", "team", "agent").get(r.nextInt(3));
                    String session = r.nextInt(3) == 0 ? sessions.get(r.nextInt(sessions.size())) : null;
                    Map<String, String> dims =
                            r.nextInt(5) == 0 ? Map.of("model", "c") : Map.of("model", r.nextBoolean() ? "a" : "b");
                    ConsumeRequest consume = new ConsumeRequest(
                            "c", feature, quantity, "k" + run + "-" + i, scope.isEmpty() ? null : scope, dims, session);
                    Decision d;
                    try {
                        d = engine.consume(consume).get().value();
                    } catch (TollgateException e) {
                        continue; // a session that does not hold this feature: refused before anything is decided
                    }
                    if (d.allowed()) {
                        continue;
                    }
                    seen.add(d.reason());
                    Decision check =
                            engine.check(new CheckRequest("c", feature, quantity, consume.scope(), dims, session));
                    assertThat(figures(d))
                            .as("seed=%d run=%d request=%d %s", seed, run, i, consume)
                            .isEqualTo(figures(check));
                    if (d.reason() == check.reason()) {
                        assertThat(d)
                                .as("seed=%d run=%d request=%d %s: refused alike", seed, run, i, consume)
                                .isEqualTo(check);
                    }
                }
            } finally {
                engine.close();
            }
        }
        assertThat(seen)
                .as("seed=%d: every kind of refusal came up", seed)
                .contains(
                        Reason.LIMIT_EXCEEDED,
                        Reason.BUDGET_EXCEEDED,
                        Reason.INSUFFICIENT_CREDITS,
                        Reason.SESSION_EXHAUSTED,
                        Reason.UNPRICED,
                        Reason.FEATURE_NOT_METERED);
    }

    /** The usage figures of a decision, as they stand. */
    private static List<@Nullable Object> figures(Decision d) {
        return java.util.Arrays.asList(
                d.limit(),
                d.used(),
                d.held(),
                d.remaining(),
                d.unlimited(),
                d.overage(),
                d.overageQuantity(),
                d.resetsAt());
    }

    /** A customer on a random plan with credits, a scope path with random budgets and sessions; answers the sessions. */
    private static List<String> setUp(Engine engine, Random r, String run) throws Exception {
        engine.publishCatalog(catalog(r), "test").get();
        engine.upsertCustomer("c", new CustomerUpdate("C", Map.of(), null), null)
                .get();
        engine.subscribe("c", new SubscriptionRequest("p", List.of(), null, null, null))
                .get();
        if (r.nextBoolean()) {
            engine.grant(
                            "c",
                            new GrantRequest(
                                    "credits",
                                    BigDecimal.valueOf(1 + r.nextInt(12)),
                                    false,
                                    BigDecimal.ZERO,
                                    0,
                                    null,
                                    null,
                                    run + "-grant"))
                    .get();
        }
        engine.setScope("c", "team", "team", null, null).get();
        engine.setScope("c", "agent", "agent", "team", null).get();
        for (String scope : List.of("team", "agent")) {
            String feature = r.nextBoolean() ? FEATURES.get(r.nextInt(4)) : null;
            engine.setBudget(
                            "c",
                            scope,
                            "cap",
                            new Budget(
                                    "cap",
                                    feature == null ? "credits" : null,
                                    feature,
                                    BigDecimal.valueOf(r.nextInt(10)),
                                    ResetPeriod.MONTH,
                                    r.nextInt(4) != 0,
                                    List.of(),
                                    Map.of()))
                    .get();
        }
        List<String> sessions = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            boolean credits = r.nextBoolean();
            @Nullable String scope = r.nextBoolean() ? "team" : null;
            SessionOutcome opened = engine.openSession(
                            "c",
                            new SessionRequest(
                                    scope,
                                    credits ? "credits" : null,
                                    credits ? null : FEATURES.get(r.nextInt(4)),
                                    BigDecimal.valueOf(1 + r.nextInt(4)),
                                    Duration.ofMinutes(10),
                                    null,
                                    run + "-session-" + s))
                    .get()
                    .value();
            if (opened.session() != null) {
                sessions.add(opened.session().session().id());
            }
        }
        if (sessions.isEmpty()) {
            sessions.add("no-such-session");
        }
        return sessions;
    }
}
