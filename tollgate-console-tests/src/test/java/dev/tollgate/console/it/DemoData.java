package dev.tollgate.console.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A vendor's data as the console shows it, written through the API: the sample catalog ({@code
 * examples/catalog.yaml}), a handful of customers, and one, {@value #CUSTOMER}, with an organisation (departments,
 * teams, users, agents), budgets with alert thresholds, credits, 30 days of token usage by two models, alerts, a
 * webhook and sessions running now. Quantities come from a seeded {@link Random}, so two runs write the same figures
 * (on the days before the run).
 */
final class DemoData {
    static final String CUSTOMER = "acme";
    /** The days of usage written, ending today (UTC). */
    static final int DAYS = 30;

    /** Scope id → {kind, parent or null, name}. Leaves get usage. */
    static final Map<String, List<String>> SCOPES = scopes();

    private static Map<String, List<String>> scopes() {
        Map<String, List<String>> s = new LinkedHashMap<>();
        s.put("eng", List.of("department", "", "Engineering"));
        s.put("sales", List.of("department", "", "Sales"));
        s.put("support", List.of("department", "", "Support"));
        s.put("platform", List.of("team", "eng", "Platform"));
        s.put("ml", List.of("team", "eng", "Machine learning"));
        s.put("sdr", List.of("team", "sales", "Sales development"));
        s.put("tier1", List.of("team", "support", "Tier 1"));
        s.put("alice", List.of("user", "platform", "Alice Martin"));
        s.put("bob", List.of("user", "ml", "Bob Chen"));
        s.put("research-agent", List.of("agent", "ml", "Research agent"));
        s.put("outreach-agent", List.of("agent", "sdr", "Outreach agent"));
        s.put("triage-bot", List.of("agent", "tier1", "Triage bot"));
        return s;
    }

    private static final List<String> LEAVES =
            List.of("alice", "bob", "research-agent", "outreach-agent", "triage-bot", "platform");

    private DemoData() {}

    /** Writes everything; {@code now} is the server's present (usage is written on the {@value #DAYS} days before). */
    static void write(ConsoleServer api, Instant now) {
        catalog(api);
        Instant start = now.truncatedTo(ChronoUnit.DAYS).minus(DAYS + 10, ChronoUnit.DAYS);
        customer(api, CUSTOMER, "Acme Corp", "pro", start);
        customer(api, "globex", "Globex", "free", start);
        customer(api, "initech", "Initech", "pro", start);
        customer(api, "umbrella", "Umbrella Health", "enterprise", start);
        customer(api, "hooli", "Hooli", "pro", start);
        customer(api, "soylent", "Soylent Labs", "free", start);
        api.put("/v1/customers/wayne", Map.of("name", "Wayne Enterprises"));

        String base = "/v1/customers/" + CUSTOMER;
        SCOPES.forEach((id, s) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("kind", s.get(0));
            if (!s.get(1).isEmpty()) {
                body.put("parent", s.get(1));
            }
            body.put("name", s.get(2));
            api.put(base + "/scopes/" + id, body);
        });
        budget(api, "eng", "monthly-credits", "credits", null, 3000, "month", "hard", List.of("0.5", "0.8", "1.0"));
        budget(api, "sales", "monthly-credits", "credits", null, 2500, "month", "hard", List.of("0.8", "1.0"));
        budget(api, "support", "monthly-credits", "credits", null, 600, "month", "soft", List.of("0.5", "0.9"));
        budget(api, "ml", "tokens", null, "llm-tokens", 400000, "month", "soft", List.of("0.8"));
        budget(api, "triage-bot", "daily-credits", "credits", null, 40, "day", "hard", List.of("0.9"));
        api.post(
                base + "/grants",
                Map.of(
                        "currency",
                        "credits",
                        "amount",
                        8000,
                        "category",
                        "paid",
                        "costBasis",
                        new BigDecimal("0.01"),
                        "idempotencyKey",
                        "demo-paid-1"));
        api.put(
                "/v1/webhooks/ops-alerts",
                Map.of("url", "https://hooks.example.com/tollgate", "secret", "demo-webhook-secret-0123"));
        usage(api, now);
        // today's alerts, whatever the day: a budget set now, then 85 of its 100 credits used (two thresholds)
        budget(api, "sdr", "daily-credits", "credits", null, 100, "day", "soft", List.of("0.5", "0.8", "1.0"));
        ConsoleServer.Answer consumed = api.post(
                "/v1/consume",
                Map.of(
                        "customerId",
                        CUSTOMER,
                        "feature",
                        "llm-tokens",
                        "quantity",
                        17000,
                        "scope",
                        "outreach-agent",
                        "dimensions",
                        Map.of("model", "gpt-4o"),
                        "idempotencyKey",
                        "demo-outreach-burst"));
        assertThat(consumed.body()).as(consumed.raw().body()).containsEntry("recorded", true);
        for (String agent : List.of("research-agent", "triage-bot")) {
            api.post(
                    "/v1/sessions",
                    Map.of(
                            "customerId",
                            CUSTOMER,
                            "scope",
                            agent,
                            "currency",
                            "credits",
                            "amount",
                            5,
                            "ttlSeconds",
                            3600,
                            "idempotencyKey",
                            "demo-session-" + agent));
        }
    }

    private static void catalog(ConsoleServer api) {
        publish(api, sampleCatalog());
    }

    /** Publishes the sample catalog with the pro plan's {@code ai-queries} limit changed to {@code limit}. */
    static void publishWithProQueries(ConsoleServer api, int limit) {
        String yaml = sampleCatalog();
        String changed = yaml.replace(
                "ai-queries: { limit: 1000, enforcement: soft }",
                "ai-queries: { limit: " + limit + ", enforcement: soft }");
        assertThat(changed).isNotEqualTo(yaml);
        publish(api, changed);
    }

    private static void publish(ConsoleServer api, String yaml) {
        ConsoleServer.Answer a = api.send("PUT", "/v1/catalog", yaml, ConsoleServer.KEY);
        assertThat(a.status()).as(a.raw().body()).isEqualTo(200);
    }

    private static String sampleCatalog() {
        Path here = Path.of("").toAbsolutePath();
        Path file = Files.exists(here.resolve("examples/catalog.yaml"))
                ? here.resolve("examples/catalog.yaml")
                : here.getParent().resolve("examples/catalog.yaml");
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void customer(ConsoleServer api, String id, String name, String plan, Instant start) {
        api.put("/v1/customers/" + id, Map.of("name", name));
        api.put("/v1/customers/" + id + "/subscription", Map.of("plan", plan, "startAt", start.toString()));
    }

    static void budget(
            ConsoleServer api,
            String scope,
            String key,
            String currency,
            String feature,
            long limit,
            String period,
            String enforcement,
            List<String> alerts) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (currency != null) {
            body.put("currency", currency);
        } else {
            body.put("feature", feature);
        }
        body.put("limit", limit);
        body.put("period", period);
        body.put("enforcement", enforcement);
        body.put("alerts", alerts.stream().map(BigDecimal::new).toList());
        api.put("/v1/customers/" + CUSTOMER + "/scopes/" + scope + "/budgets/" + key, body);
    }

    /** Token usage of every leaf on each of the last days, by model, reported as events at their time. */
    private static void usage(ConsoleServer api, Instant now) {
        Random random = new Random(20);
        List<Object> events = new ArrayList<>();
        Instant today = now.truncatedTo(ChronoUnit.DAYS);
        for (int day = DAYS - 1; day >= 0; day--) {
            Instant at = today.minus(day, ChronoUnit.DAYS).plus(9 + random.nextInt(8), ChronoUnit.HOURS);
            if (at.isAfter(now)) {
                at = now.minusSeconds(60);
            }
            for (int i = 0; i < LEAVES.size(); i++) {
                String leaf = LEAVES.get(i);
                double weekday =
                        at.atZone(java.time.ZoneOffset.UTC).getDayOfWeek().getValue() >= 6 ? 0.35 : 1;
                long big = Math.round((1500 + random.nextInt(2500) * (i + 1) / 2.0) * weekday);
                long small = Math.round((4000 + random.nextInt(9000)) * weekday);
                events.add(event(leaf + "-4o-" + day, leaf, "gpt-4o", big, at));
                events.add(event(leaf + "-mini-" + day, leaf, "gpt-4o-mini", small, at));
            }
        }
        ConsoleServer.Answer a = api.post("/v1/events", Map.of("events", events));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) a.body().get("results");
        assertThat(results)
                .as(a.raw().body())
                .allSatisfy(r -> assertThat(r.get("status")).isEqualTo("accepted"));
    }

    private static Map<String, Object> event(String key, String scope, String model, long tokens, Instant at) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("idempotencyKey", key);
        e.put("customerId", CUSTOMER);
        e.put("feature", "llm-tokens");
        e.put("quantity", BigDecimal.valueOf(tokens));
        e.put("scope", scope);
        e.put("dimensions", Map.of("model", model));
        e.put("timestamp", at.toString());
        return e;
    }
}
