package dev.tollgate.bench;

import dev.tollgate.core.Reason;
import dev.tollgate.core.api.WhatIfReport;
import dev.tollgate.core.api.WhatIfRequest;
import dev.tollgate.core.catalog.Catalog;
import dev.tollgate.core.catalog.CatalogReader;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.customer.PlanRef;
import dev.tollgate.core.customer.Subscription;
import dev.tollgate.core.decision.CreditCharge;
import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.engine.WhatIf;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * The what-if's speed (issue 21): one month of recorded events (10 million in the full run) replayed against a draft
 * catalog on the pure core ({@link WhatIf#run}), as {@code POST /v1/what-if} replays what the store returns, one
 * customer after another.
 *
 * <p>The records: {@value #CUSTOMERS_FULL} customers on plan {@code pro} (a paid grant each), each with {@value
 * #EVENTS_FULL} requests spread over March 2026, as the engine records them: consumes of {@code llm-tokens} priced per
 * 1000 by model (gpt-4o 10 credits, mini 1; a charge follows each), consumes of {@code ai-queries} under a hard
 * monthly limit (refused ones recorded as refusals), and reported token events. They are generated in memory, each
 * customer's just before it is replayed, exactly as a store hands them over (already decoded: reading them from a
 * store is not measured here; {@code JournalCodecBenchmark.decode} gives that cost per record). The draft raises
 * gpt-4o to 15 and lowers the queries' limit, so the replay refuses what the recording admitted.
 *
 * <p>Baseline, alternated with it (A B A B A B): the same records generated and only summed, the floor any consumer
 * of them pays. The figure is the replay's wall time for the month, generation included, against a target of 60 s.
 *
 * <p>Gates: every request replayed; the recorded figures the replay reads back equal what the generator recorded; and
 * the recorded catalog as the draft replays the first customers exactly as recorded (the generator and the engine's
 * rules agree, so the replay of an unchanged catalog changes nothing).
 *
 * <p>Command (after {@code mvn -B -o -q -DskipTests -DskipITs package}): {@code java -Xmx2g -cp
 * "tollgate-bench/target/classes:$(cat tollgate-bench/target/classpath.txt)" dev.tollgate.bench.BenchMain --only
 * what-if}.
 */
final class WhatIfBench {
    static final int CUSTOMERS_FULL = 2000;
    static final int EVENTS_FULL = 5000;
    private static final Instant MONTH = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-04-01T00:00:00Z");

    private final Results report;
    private final int customers;
    private final int events;
    private final int reps;

    /**
     * @param report where the figures and gates go
     * @param smoke 200 customers of 500 requests, once (the gates only)
     */
    WhatIfBench(Results report, boolean smoke) {
        this.report = report;
        this.customers = smoke ? 200 : CUSTOMERS_FULL;
        this.events = smoke ? 500 : EVENTS_FULL;
        this.reps = smoke ? 1 : 3;
    }

    static Map<String, Object> catalog(int gpt4oRate, int queryLimit) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("currencies", List.of(Map.of("key", "credits", "depletion", "hard")));
        doc.put(
                "features",
                List.of(
                        Map.of("key", "llm-tokens", "type", "metered"),
                        Map.of("key", "ai-queries", "type", "metered")));
        doc.put(
                "rateCards",
                List.of(Map.of(
                        "feature",
                        "llm-tokens",
                        "currency",
                        "credits",
                        "per",
                        1000,
                        "byDimension",
                        Map.of("model", Map.of("gpt-4o", gpt4oRate, "mini", 1)))));
        doc.put(
                "plans",
                List.of(Map.of(
                        "key",
                        "pro",
                        "entitlements",
                        Map.of(
                                "llm-tokens",
                                Map.of("limit", "unlimited"),
                                "ai-queries",
                                Map.of("limit", queryLimit)))));
        return doc;
    }

    private int recordedLimit() {
        return events / 4;
    }

    /** What the generator recorded, summed: the gate compares the replay's {@code before} with it. */
    private static final class Tally {
        long admitted;
        long refused;
        BigDecimal credits = BigDecimal.ZERO;
    }

    /**
     * One customer's records, as the engine records them: profile, subscription, grant before the month; then its
     * requests, each with the charge that follows a priced one.
     */
    private List<JournalEntry> customer(int index, Tally tally) {
        String id = id(index);
        Random rnd = new Random(index);
        List<JournalEntry> out = new ArrayList<>(events * 2 + 3);
        Instant before = MONTH.minus(Duration.ofDays(3));
        out.add(new JournalEntry.CustomerUpserted(id, before, null, id, Map.of(), null, null));
        out.add(new JournalEntry.SubscriptionSet(
                id,
                before,
                null,
                new Subscription(new PlanRef("pro", 1), List.of(), MONTH, null, null),
                Map.of(),
                null));
        BigDecimal balance = BigDecimal.valueOf(100_000_000L);
        String grant = "g-" + id;
        out.add(new JournalEntry.GrantCreated(
                id,
                before,
                grant,
                new Grant(grant, "credits", balance, false, new BigDecimal("0.001"), 0, before, null, "api", null),
                null));
        long step = Duration.between(MONTH, TO).toMillis() / events;
        BigDecimal queries = BigDecimal.ZERO;
        BigDecimal limit = BigDecimal.valueOf(recordedLimit());
        for (int i = 0; i < events; i++) {
            Instant at = MONTH.plusMillis(step * i + rnd.nextInt((int) Math.max(1, step)));
            String key = id + "-" + i;
            int kind = rnd.nextInt(100);
            if (kind < 60 || kind >= 92) {
                String model = rnd.nextInt(10) < 3 ? "gpt-4o" : "mini";
                BigDecimal tokens = BigDecimal.valueOf(100 + rnd.nextInt(4900));
                BigDecimal credits = tokens.multiply(BigDecimal.valueOf(model.equals("gpt-4o") ? 10 : 1))
                        .divide(BigDecimal.valueOf(1000));
                balance = balance.subtract(credits);
                CreditCharge charge = new CreditCharge("credits", credits, balance);
                Decision answer = Decision.plain(true, null, null, null).withCredit(charge);
                boolean consume = kind < 60;
                out.add(new JournalEntry.UsageRecorded(
                        id,
                        at,
                        key,
                        "llm-tokens",
                        tokens,
                        MONTH,
                        BigDecimal.ZERO,
                        consume ? UsageSource.CONSUME : UsageSource.EVENT,
                        at,
                        null,
                        Map.of("model", model),
                        answer,
                        null,
                        null));
                out.add(new JournalEntry.CreditsMoved(
                        id,
                        at,
                        null,
                        EntryType.CONSUME,
                        "credits",
                        at,
                        List.of(new Movement(grant, credits.negate())),
                        key,
                        "llm-tokens",
                        tokens,
                        null,
                        Map.of("model", model)));
                tally.admitted++;
                tally.credits = tally.credits.add(credits);
            } else {
                BigDecimal asked = BigDecimal.valueOf(1 + rnd.nextInt(3));
                if (queries.add(asked).compareTo(limit) > 0) {
                    out.add(new JournalEntry.ConsumptionDenied(
                            id,
                            at,
                            key,
                            "ai-queries",
                            asked,
                            null,
                            Map.of(),
                            null,
                            Decision.denied(Reason.LIMIT_EXCEEDED),
                            null));
                    tally.refused++;
                } else {
                    queries = queries.add(asked);
                    out.add(new JournalEntry.UsageRecorded(
                            id,
                            at,
                            key,
                            "ai-queries",
                            asked,
                            MONTH,
                            BigDecimal.ZERO,
                            UsageSource.CONSUME,
                            at,
                            null,
                            Map.of(),
                            Decision.plain(true, null, null, null),
                            null,
                            null));
                    tally.admitted++;
                }
            }
        }
        return out;
    }

    /** Generates every customer's records and hands each customer's to {@code sink} with the customer's id. */
    private void generate(Tally tally, BiConsumer<String, List<JournalEntry>> sink) {
        for (int c = 0; c < customers; c++) {
            sink.accept(id(c), customer(c, tally));
        }
    }

    private static String id(int index) {
        return String.format("c%05d", index);
    }

    /** Runs the scenario: about three minutes for the full run (three repetitions of each), seconds for smoke. */
    void run() {
        long total = (long) customers * events;
        Catalog base = Catalog.empty()
                .publish(
                        CatalogReader.read(catalog(10, recordedLimit())),
                        catalog(10, recordedLimit()),
                        MONTH.minus(Duration.ofDays(10)),
                        "bench");
        WhatIfRequest request = new WhatIfRequest(catalog(15, recordedLimit() * 4 / 5), MONTH, TO, null, Map.of(), 20);
        List<Double> replaySeconds = new ArrayList<>();
        List<Double> baselineSeconds = new ArrayList<>();
        WhatIfReport last = null;
        Tally recorded = new Tally();
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            BigDecimal[] summed = {BigDecimal.ZERO};
            generate(
                    new Tally(),
                    (id, records) -> records.forEach(r -> {
                        if (r instanceof JournalEntry.UsageRecorded u) {
                            summed[0] = summed[0].add(u.quantity());
                        }
                    }));
            baselineSeconds.add((System.nanoTime() - t0) / 1e9);

            Tally tally = new Tally();
            t0 = System.nanoTime();
            last = WhatIf.run(
                    base,
                    request,
                    sink -> generate(tally, (id, records) -> {
                        records.forEach(sink::add);
                        sink.finished(id);
                    }));
            replaySeconds.add((System.nanoTime() - t0) / 1e9);
            recorded = tally;
            System.out.printf(
                    "what-if rep %d: replay %.1f s, baseline %.1f s (%d events)%n",
                    rep, replaySeconds.get(rep), baselineSeconds.get(rep), total);
        }
        WhatIfReport.CustomerOutcome all = java.util.Objects.requireNonNull(last, "at least one repetition")
                .total();
        report.absolute(
                "what-if: one month of " + String.format("%,d", total) + " recorded requests replayed against a draft"
                        + " (pure core, records generated in memory, generation included)",
                "s",
                replaySeconds,
                "<= 60 s",
                customers == CUSTOMERS_FULL ? 60 : 0,
                false);
        report.absolute(
                "what-if baseline: the same records generated and summed only", "s", baselineSeconds, "-", 0, false);
        report.ratio("what-if replay / its baseline", replaySeconds, baselineSeconds, "-", 0, false);
        report.gate(
                "what-if replayed every request",
                all.requests() == total,
                "requests=" + all.requests() + " expected=" + total);
        report.gate(
                "what-if reads back what was recorded",
                all.before().admitted() == recorded.admitted
                        && all.before().refused() == recorded.refused
                        && recorded.credits.compareTo(all.before().credits().getOrDefault("credits", BigDecimal.ZERO))
                                == 0,
                "admitted=" + all.before().admitted() + "/" + recorded.admitted + " refused="
                        + all.before().refused()
                        + "/" + recorded.refused + " credits="
                        + all.before().credits().get("credits") + "/"
                        + recorded.credits);
        identityGate(base);
        System.out.printf(
                "what-if after: admitted %d, refused %d (newly %d), credits %s before %s%n",
                all.after().admitted(),
                all.after().refused(),
                all.newlyRefused(),
                all.after().credits(),
                all.before().credits());
    }

    /** The recorded catalog as the draft, over the first customers: every figure after equals the recorded one. */
    private void identityGate(Catalog base) {
        int sample = Math.min(customers, 20);
        WhatIfRequest same = new WhatIfRequest(catalog(10, recordedLimit()), MONTH, TO, null, Map.of(), 0);
        WhatIfReport replayed = WhatIf.run(base, same, sink -> {
            for (int c = 0; c < sample; c++) {
                customer(c, new Tally()).forEach(sink::add);
            }
        });
        long differing = replayed.customers().stream()
                .filter(o -> !o.after().equals(o.before()))
                .count();
        report.gate(
                "what-if of the recorded catalog changes nothing",
                differing == 0 && replayed.customers().size() == sample,
                "customers=" + replayed.customers().size() + " differing=" + differing);
    }
}
