package dev.tollgate.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.decision.Decision;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 21: the what-if replay against a plain reference, over seeded random histories. A history is a few customers
 * on one plan, each with a paid grant, sending consumes and events of one priced, limited feature; some before
 * {@code from}, most after. The reference is a dozen lines of arithmetic (a hard limit refuses a consume, a soft one
 * counts overage, a hard currency refuses what the balance cannot cover, an event is always taken); it must agree
 * with what the engine recorded, the replay of the same catalog must reproduce it exactly, and the replay of a random
 * draft (another limit, enforcement and rate) must give what the reference gives under the draft.
 *
 * <p>Each seed is printed; {@code -Dtollgate.seed=N} replays one.
 */
final class WhatIfPropertyTest {
    private static final Instant START = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant FROM = START.plus(Duration.ofDays(2));
    private static final Instant TO = START.plus(Duration.ofDays(20));

    static LongStream seeds() {
        String fixed = System.getProperty("tollgate.seed");
        return fixed != null && !fixed.isBlank()
                ? LongStream.of(Long.parseLong(fixed))
                : LongStream.of(21L, 2_100L, 210_021L, 7L);
    }

    /** A catalog's terms for the feature {@code q}: its limit, whether hard, its rate; and the currency's depletion. */
    record Terms(int limit, boolean hardLimit, BigDecimal rate, boolean hardCurrency) {
        Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("currencies", List.of(Map.of("key", "credits", "depletion", hardCurrency ? "hard" : "soft")));
            doc.put("features", List.of(Map.of("key", "q", "type", "metered")));
            doc.put("rateCards", List.of(Map.of("feature", "q", "currency", "credits", "rate", rate)));
            doc.put(
                    "plans",
                    List.of(Map.of(
                            "key",
                            "pro",
                            "entitlements",
                            Map.of("q", Map.of("limit", limit, "enforcement", hardLimit ? "hard" : "soft")))));
            return doc;
        }

        static Terms random(Random rnd, boolean hardCurrency) {
            return new Terms(
                    50 + rnd.nextInt(400), rnd.nextBoolean(), BigDecimal.valueOf(1 + rnd.nextInt(30), 1), hardCurrency);
        }
    }

    /** One request of the history. */
    record Request(String customer, String key, boolean consume, BigDecimal quantity, Instant at) {}

    /** The plain reference: one customer's counter and balance, and the figures of what it admitted. */
    static final class Reference {
        BigDecimal used = BigDecimal.ZERO;
        BigDecimal balance;
        long admitted;
        final Map<String, Long> refusedBy = new TreeMap<>();
        BigDecimal quantity = BigDecimal.ZERO;
        BigDecimal overage = BigDecimal.ZERO;
        BigDecimal credits = BigDecimal.ZERO;

        Reference(BigDecimal balance) {
            this.balance = balance;
        }

        /** Decides a request and counts it in the counter and balance if admitted: its refusal reason, or null. */
        @Nullable
        String decide(Terms t, Request r) {
            BigDecimal limit = BigDecimal.valueOf(t.limit());
            BigDecimal after = used.add(r.quantity());
            if (r.consume() && t.hardLimit() && after.compareTo(limit) > 0) {
                return "LIMIT_EXCEEDED";
            }
            BigDecimal price = r.quantity().multiply(t.rate());
            if (r.consume() && t.hardCurrency() && balance.compareTo(price) < 0) {
                return "INSUFFICIENT_CREDITS";
            }
            used = after;
            balance = balance.subtract(price);
            return null;
        }

        void count(Terms t, Request r) {
            BigDecimal before = used;
            String reason = decide(t, r);
            if (reason == null) {
                admitted++;
                quantity = quantity.add(r.quantity());
                BigDecimal limit = BigDecimal.valueOf(t.limit());
                overage = overage.add(Decimals.max(BigDecimal.ZERO, used.subtract(limit))
                        .subtract(Decimals.max(BigDecimal.ZERO, before.subtract(limit))));
                credits = credits.add(r.quantity().multiply(t.rate()));
            } else {
                refusedBy.merge(reason, 1L, Long::sum);
            }
        }

        WhatIfReport.Side side() {
            Map<String, WhatIfReport.FeatureUse> features = new TreeMap<>();
            if (admitted > 0) {
                features.put(
                        "q", new WhatIfReport.FeatureUse(Decimals.normalize(quantity), Decimals.normalize(overage)));
            }
            Map<String, BigDecimal> c = new TreeMap<>();
            if (credits.signum() > 0) {
                c.put("credits", Decimals.normalize(credits));
            }
            long refused =
                    refusedBy.values().stream().mapToLong(Long::longValue).sum();
            return new WhatIfReport.Side(admitted, refused, refusedBy, features, c);
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void the_replay_agrees_with_a_plain_reference(long seed) throws Exception {
        System.out.println("WhatIfPropertyTest seed=" + seed);
        Random rnd = new Random(seed);
        boolean hardCurrency = rnd.nextBoolean();
        Terms recorded = Terms.random(rnd, hardCurrency);
        Terms drafted = Terms.random(rnd, hardCurrency);
        int customers = 2 + rnd.nextInt(4);
        List<Request> history = new ArrayList<>();
        Instant t = START.plusSeconds(60);
        for (int i = 0; i < 60 + rnd.nextInt(200); i++) {
            t = t.plusSeconds(60 + rnd.nextInt(20_000));
            BigDecimal quantity = BigDecimal.valueOf(1 + rnd.nextInt(4000), rnd.nextBoolean() ? 2 : 0);
            history.add(new Request("c" + rnd.nextInt(customers), "k" + i, rnd.nextInt(5) > 0, quantity, t));
        }
        try (FinanceWorld world = new FinanceWorld(START)) {
            world.publish(recorded.document());
            Map<String, Reference> asRecorded = new TreeMap<>();
            Map<String, Reference> underDraft = new TreeMap<>();
            Map<String, Reference> inRange = new TreeMap<>();
            for (int c = 0; c < customers; c++) {
                String id = "c" + c;
                BigDecimal grant = BigDecimal.valueOf(100 + rnd.nextInt(3000));
                world.customer(id, "pro");
                world.grant(id, "credits", grant.toPlainString(), false, "0.01", "g-" + id);
                asRecorded.put(id, new Reference(grant));
                underDraft.put(id, new Reference(grant));
                inRange.put(id, new Reference(grant));
            }
            for (Request r : history) {
                world.now.set(r.at());
                String reason = r.consume()
                        ? reasonOf(world.consume(r.customer(), "q", r.quantity().toPlainString(), r.key()))
                        : null;
                if (!r.consume()) {
                    world.report(r.customer(), "q", r.quantity().toPlainString(), r.key(), Map.of());
                }
                assertThat(asRecorded.get(r.customer()).decide(recorded, r))
                        .as("the reference decides %s as the engine did (seed %d)", r, seed)
                        .isEqualTo(reason);
                boolean before = r.at().isBefore(FROM);
                Reference draft = underDraft.get(r.customer());
                Reference recordedInRange = inRange.get(r.customer());
                if (before) {
                    draft.decide(recorded, r);
                    recordedInRange.decide(recorded, r);
                } else if (r.at().isBefore(TO)) {
                    draft.count(drafted, r);
                    recordedInRange.count(recorded, r);
                }
            }
            world.now.set(TO.plusSeconds(1));

            WhatIfReport same =
                    world.engine.whatIf(new WhatIfRequest(recorded.document(), FROM, TO, null, Map.of(), 5));
            WhatIfReport changed =
                    world.engine.whatIf(new WhatIfRequest(drafted.document(), FROM, TO, null, Map.of(), 5));

            for (WhatIfReport.CustomerOutcome o : same.customers()) {
                Reference expected = inRange.get(o.customerId());
                assertThat(o.before())
                        .as("recorded %s (seed %d)", o.customerId(), seed)
                        .isEqualTo(expected.side());
                assertThat(o.after())
                        .as("the same catalog replays %s as recorded (seed %d)", o.customerId(), seed)
                        .isEqualTo(o.before());
            }
            for (WhatIfReport.CustomerOutcome o : changed.customers()) {
                assertThat(o.after())
                        .as("%s under the draft %s (seed %d)", o.customerId(), drafted, seed)
                        .isEqualTo(underDraft.get(o.customerId()).side());
            }
        }
    }

    private static @Nullable String reasonOf(Decision d) {
        return d.allowed() || d.reason() == null ? null : d.reason().name();
    }
}
