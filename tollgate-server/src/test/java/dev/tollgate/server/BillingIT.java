package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.billing.StripeSettings;
import dev.tollgate.testkit.PostgresTestSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Billing over HTTP on SQLite and PostgreSQL (docs/finance.md): a month with a plan change in the middle of a window,
 * soft overage, credits and an auto-recharge exported as JSON and CSV, the same bytes twice and after a restart, page by
 * page; and the Stripe exporter against a local fake of Stripe ({@link FakeStripe}: slow, failing some calls with 500
 * and 429) with the server stopped and started again in the middle of the export: every item reaches Stripe once,
 * none twice, none missing.
 */
final class BillingIT {
    private static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;

    private static Map<String, Object> catalog(int queries) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "tok", "type", "metered", "reset", "day")),
                "rateCards",
                List.of(Map.of("feature", "tok", "currency", "credits", "per", 1, "rate", 1)),
                "plans",
                List.of(Map.of(
                        "key",
                        "basic",
                        "entitlements",
                        Map.of(
                                "q", Map.of("limit", queries, "enforcement", "soft"),
                                "tok", Map.of("limit", "unlimited")))));
    }

    /** A server on {@code store} with the Stripe exporter pointed at {@code stripe} (or none). */
    private record Server(Harness h, @Nullable PostgresTestSchema schema) implements AutoCloseable {
        @Override
        public void close() {
            h.close();
            if (schema != null) {
                schema.close();
            }
        }
    }

    private Server start(String store, @Nullable FakeStripe stripe) {
        PostgresTestSchema schema = store.equals("postgres") ? PostgresTestSchema.create() : null;
        UnaryOperator<ServerConfig> tweak = c -> {
            ServerConfig.Builder b = c.toBuilder();
            if (schema != null) {
                b.store("postgres").postgresUrl(schema.url());
            }
            if (stripe != null) {
                b.stripe(new StripeSettings("sk_test_fake", stripe.baseUrl(), "usd"));
            }
            return b.build();
        };
        return new Server(new Harness(dir, NOV, tweak), schema);
    }

    private static void ok(ApiClient.Reply r) {
        assertThat(r.status()).as(r.text()).isBetween(200, 201);
    }

    /**
     * November: c00..c09 (Stripe ids cus_c00...), bad (cus_missing, which Stripe does not know) and nomap (no Stripe
     * id) on basic v1 (q: 100, soft), each with q and tok usage; c00's tok usage triggers a recharge of 100 credits at
     * 0.02; on the 15th basic v2 (q: 200), c00 moves to it and uses q again, c01 goes 11 over v1's limit.
     */
    private static void november(Harness h) {
        ok(h.put("/v1/catalog", catalog(100)));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(String.format("c%02d", i));
        }
        ids.add("bad");
        ids.add("nomap");
        for (String id : ids) {
            Map<String, Object> metadata = id.equals("nomap")
                    ? Map.of()
                    : Map.of("stripeCustomerId", id.equals("bad") ? "cus_missing" : "cus_" + id);
            ok(h.put("/v1/customers/" + id, Map.of("name", id, "metadata", metadata)));
            ok(h.put("/v1/customers/" + id + "/subscription", Map.of("plan", "basic")));
            ok(h.post(
                    "/v1/customers/" + id + "/grants",
                    Map.of(
                            "currency",
                            "credits",
                            "amount",
                            100,
                            "category",
                            "paid",
                            "costBasis",
                            new java.math.BigDecimal("0.01"),
                            "idempotencyKey",
                            "g-" + id)));
        }
        ok(h.put(
                "/v1/customers/c00/auto-recharge",
                Map.of(
                        "currency",
                        "credits",
                        "threshold",
                        50,
                        "amount",
                        100,
                        "costBasis",
                        new java.math.BigDecimal("0.02"))));
        h.clock.set(Instant.parse("2026-11-05T10:00:00Z"));
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            ok(h.consume(id, "q", 10 + i, "q1-" + id));
            ok(h.consume(id, "tok", id.equals("c00") ? 60 : 5, "t1-" + id));
        }
        h.clock.set(Instant.parse("2026-11-15T00:00:00Z"));
        ok(h.put("/v1/catalog", catalog(200)));
        ok(h.put("/v1/customers/c00/subscription", Map.of("plan", "basic", "planVersion", "latest")));
        h.clock.set(Instant.parse("2026-11-20T10:00:00Z"));
        ok(h.consume("c00", "q", 95, "q2-c00"));
        ok(h.consume("c01", "q", 100, "q2-c01"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_closed_month_exports_the_same_bytes_twice_and_after_a_restart_and_page_by_page(String store) {
        try (Server s = start(store, null)) {
            Harness h = s.h();
            november(h);
            h.clock.set(Instant.parse("2026-12-01T00:10:00Z"));

            ApiClient.Reply json = h.get("/v1/billing/periods/2026-11?format=json");
            assertThat(json.status()).as(json.text()).isEqualTo(200);
            assertThat(json.headers().get("tollgate-period-closed")).containsExactly("true");
            ApiClient.Reply csv = h.get("/v1/billing/periods/2026-11?format=csv");
            assertThat(csv.headers().get("content-type")).containsExactly("text/csv; charset=utf-8");
            assertThat(h.get("/v1/billing/periods/2026-11?format=json").text()).isEqualTo(json.text());
            assertThat(h.get("/v1/billing/periods/2026-11?format=csv").text()).isEqualTo(csv.text());

            @SuppressWarnings("unchecked")
            List<Map<String, Object>> customers = (List<Map<String, Object>>) json.get("customers");
            assertThat(customers).hasSize(12);
            assertThat(customers)
                    .extracting(c -> c.get("customerId"))
                    .startsWith("bad", "c00")
                    .endsWith("nomap");
            Map<String, Object> c00 = customers.get(1);
            assertThat(c00.get("customerId")).isEqualTo("c00");
            assertThat(c00.get("plans").toString())
                    .isEqualTo("[{plan=basic, planVersion=1, from=2026-11-01T00:00:00Z, to=2026-11-15T00:00:00Z},"
                            + " {plan=basic, planVersion=2, from=2026-11-15T00:00:00Z, to=2026-12-01T00:00:00Z}]");
            assertThat(c00.get("recharges").toString())
                    .isEqualTo("[{grantId=recharge:t1-c00, at=2026-11-05T10:00:00Z, currency=credits, amount=100,"
                            + " costBasis=0.02, charge=2, trigger=t1-c00}]");
            assertThat(c00.get("credits").toString()).isEqualTo("[{currency=credits, consumed=60, refunded=0}]");
            assertThat(csv.text())
                    .contains("2026-11,c01,feature,basic,1,,,q,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,100,false,"
                            + "111,11,2,")
                    .contains("2026-11,c00,feature,basic,2,,,q,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,200,false,"
                            + "95,0,1,");

            s.h().restart();
            assertThat(h.get("/v1/billing/periods/2026-11?format=json").text())
                    .as("after a restart")
                    .isEqualTo(json.text());

            List<Object> paged = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                ApiClient.Reply page = h.get("/v1/billing/periods/2026-11?format=json&limit=5"
                        + (cursor == null ? "" : "&cursor=" + cursor));
                paged.addAll((List<?>) page.get("customers"));
                cursor = (String) page.get("nextCursor");
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(paged).isEqualTo(customers);
            String csvPage = h.get("/v1/billing/periods/2026-11?format=csv&limit=1&after=c09")
                    .text();
            assertThat(csvPage.lines().skip(1).map(l -> l.split(",")[1]).distinct())
                    .containsExactly("nomap");

            assertThat(h.get("/v1/billing/periods/2026-13").error())
                    .containsEntry("code", "INVALID_BILLING_PERIOD")
                    .containsEntry("field", "period");
            assertThat(h.get("/v1/billing/periods/2026-11?limit=0").error()).containsEntry("field", "limit");
            assertThat(h.get("/v1/billing/periods/2026-11?cursor=nope").error())
                    .containsEntry("code", "INVALID_CURSOR");
            h.clock.set(Instant.parse("2026-12-01T00:05:00Z"));
            assertThat(h.get("/v1/billing/periods/2026-11?format=json").get("closed"))
                    .as("within the grace")
                    .isEqualTo(false);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> exports(Harness h, @Nullable String status) {
        ApiClient.Reply r = h.get("/v1/billing/exports?limit=1000" + (status == null ? "" : "&status=" + status));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return (List<Map<String, Object>>) r.get("items");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void the_stripe_exporter_sends_every_item_once_across_a_restart_in_the_middle(String store) {
        try (FakeStripe stripe = new FakeStripe(40);
                Server s = start(store, stripe)) {
            Harness h = s.h();
            november(h);
            assertThat(exports(h, null)).as("nothing before the period closes").isEmpty();

            h.clock.set(Instant.parse("2026-12-01T00:10:00Z"));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> stripe.effects().size() >= 6);
            h.restart();
            Awaitility.await()
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> exports(h, null).size() == 26
                            && exports(h, "pending").isEmpty());

            List<Map<String, Object>> items = exports(h, null);
            Set<Object> sentKeys = items.stream()
                    .filter(i -> i.get("status").equals("sent"))
                    .map(i -> i.get("key"))
                    .collect(Collectors.toSet());
            assertThat(sentKeys).hasSize(22);
            List<FakeStripe.Call> effects = stripe.effects();
            assertThat(effects).extracting(FakeStripe.Call::idempotencyKey).doesNotHaveDuplicates();
            assertThat(new HashSet<Object>(effects.stream()
                            .map(FakeStripe.Call::idempotencyKey)
                            .toList()))
                    .as("every sent item reached Stripe, and nothing else did")
                    .isEqualTo(sentKeys);
            assertThat(stripe.calls())
                    .as("nothing sent again after Stripe took it")
                    .noneMatch(FakeStripe.Call::replay);
            assertThat(stripe.calls())
                    .as("the faults happened and were retried")
                    .anyMatch(c -> c.status() == 500)
                    .anyMatch(c -> c.status() == 429);
            for (FakeStripe.Call c : effects) {
                if (c.path().equals("/v1/billing/meter_events")) {
                    assertThat(c.params()).containsEntry("identifier", c.idempotencyKey());
                    assertThat(c.params()).containsEntry("timestamp", "1796083199"); // 2026-11-30T23:59:59Z
                }
            }
            assertThat(effects)
                    .filteredOn(c -> c.path().equals("/v1/invoiceitems"))
                    .singleElement()
                    .satisfies(c -> assertThat(c.params())
                            .containsEntry("customer", "cus_c00")
                            .containsEntry("currency", "usd")
                            .containsEntry("unit_amount_decimal", "200")
                            .containsEntry("quantity", "1")
                            .containsEntry("metadata[tollgate_grant_id]", "recharge:t1-c00"));
            assertThat(effects)
                    .filteredOn(c -> "cus_c01".equals(c.params().get("payload[stripe_customer_id]")))
                    .extracting(
                            c -> c.params().get("event_name") + "=" + c.params().get("payload[value]"))
                    .containsExactlyInAnyOrder("q=111", "tok=5");

            assertThat(exports(h, "failed")).hasSize(2).allSatisfy(i -> {
                assertThat(i.get("customerId")).isEqualTo("bad");
                assertThat((String) i.get("error")).contains("HTTP 400").contains("No such customer");
            });
            assertThat(exports(h, "skipped"))
                    .hasSize(2)
                    .allSatisfy(i -> assertThat((String) i.get("error")).contains("stripeCustomerId"));
        }
    }

    @Test
    void the_exports_list_refuses_an_unknown_status() {
        try (Server s = start("sqlite", null)) {
            assertThat(s.h().get("/v1/billing/exports?status=lost").error())
                    .containsEntry("code", "INVALID_QUERY")
                    .containsEntry("field", "status");
        }
    }
}
