package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.FuzzRequests.Bad;
import dev.tollgate.server.FuzzRoutes.Route;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded, bounded fuzzing of the HTTP door (issue 16): {@value #REQUESTS} bad requests over every route ({@link
 * FuzzRoutes}), each a valid request with one mutation ({@link FuzzRequests}) (a wrong type, a huge or tiny number, deep nesting, an over-long string, a lone surrogate,
 * a NUL, a bad date, an unknown field, a repeated name, a missing field, a bad path id or query parameter, a broken
 * body), on each store.
 *
 * <p>What must hold: no {@code 5xx} at all (no store fault is injected); every {@code 4xx} carries {@code error.code},
 * and {@code error.field} when a body field is at fault (the mutated one); a bad event in a batch is rejected alone,
 * with {@code code} and {@code field}; nothing a client can read changed (customers, entitlements, balances, ledger,
 * scopes, usage, grants, sessions, the catalog and the event log, compared before and after); a restart starts clean,
 * reads the same, and {@code verify} passes.
 *
 * <p>Seeded: the seed is printed at the start and in every failure; {@code -Dtollgate.seed=...} replays a run.
 */
final class FuzzIT {
    private static final int REQUESTS = 1200;
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void bad_requests_over_every_route_are_refused_cleanly_and_change_nothing(String store) {
        long seed = Long.getLong("tollgate.seed", System.nanoTime());
        System.out.println("FuzzIT store=" + store + " seed=" + seed);
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            Harness h = s.h;
            String session = setUp(h);
            List<String> before = snapshot(h, session);
            Random random = new Random(seed);
            List<Route> routes = FuzzRoutes.routes();
            int sent = 0;
            for (int i = 0; i < REQUESTS; i++) {
                Bad bad = FuzzRequests.next(random, routes, session);
                ApiClient.Reply r = bad.body() == null
                        ? h.send(bad.method(), bad.path(), null, "application/json", Harness.KEY)
                        : h.send(bad.method(), bad.path(), bad.body(), "application/json", Harness.KEY);
                check(bad, r);
                sent++;
            }
            assertThat(sent).isGreaterThanOrEqualTo(1000);
            assertThat(snapshot(h, session))
                    .as("nothing a client can read changed")
                    .isEqualTo(before);
            h.restart();
            assertThat(snapshot(h, session)).as("the same after a restart").isEqualTo(before);
            s.assertVerified();
        } catch (AssertionError e) {
            throw new AssertionError("FuzzIT failed with seed=" + seed + " store=" + store + ": " + e.getMessage(), e);
        }
    }

    private static void check(Bad bad, ApiClient.Reply r) {
        String what = bad.mutation() + " " + bad.method() + " " + bad.path() + " " + abbreviate(bad.body()) + " -> "
                + r.status() + " " + abbreviate(r.text());
        assertThat(r.status()).as("no 5xx: %s", what).isLessThan(500);
        if (bad.path().equals("/v1/events") && r.status() == 200) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> results = (List<Map<String, Object>>) r.get("results");
            for (Map<String, Object> result : results) {
                assertThat(result.get("status"))
                        .as("the bad event is rejected: %s", what)
                        .isEqualTo("rejected");
                assertThat(result).as("a rejected event says why: %s", what).containsKey("code");
                if (bad.field() != null) {
                    assertThat((String) result.get("field"))
                            .as("field: %s", what)
                            .startsWith(bad.field());
                }
            }
            return;
        }
        assertThat(r.status()).as("refused: %s", what).isBetween(400, 499);
        assertThat(r.error()).as("error.code: %s", what).containsKey("code");
        assertThat((String) r.error().get("message"))
                .as("error.message: %s", what)
                .isNotBlank();
        if (bad.field() != null) {
            assertThat((String) r.error().get("field"))
                    .as("error.field: %s", what)
                    .isNotNull()
                    .startsWith(bad.field());
        }
    }

    private static String abbreviate(@Nullable String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** A customer on each kind of plan, a scope with a budget, credits, a paid consumption, a session, a webhook. */
    private static String setUp(Harness h) {
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "pro");
        h.customerOn("beta", "free");
        assertThat(h.put("/v1/customers/acme/scopes/team", Map.of("name", "Team"))
                        .status())
                .isEqualTo(200);
        assertThat(h.put(
                                "/v1/customers/acme/scopes/team/budgets/b",
                                Map.of("feature", "ai-queries", "limit", 500, "alerts", List.of(new BigDecimal("0.5"))))
                        .status())
                .isEqualTo(200);
        assertThat(h.put("/v1/webhooks/w", Map.of("url", "https://example.com/w", "secret", "0123456789abcdef"))
                        .status())
                .isEqualTo(200);
        assertThat(h.post(
                                "/v1/customers/acme/grants",
                                Map.of(
                                        "currency",
                                        "credits",
                                        "amount",
                                        100,
                                        "category",
                                        "paid",
                                        "idempotencyKey",
                                        "g1"))
                        .status())
                .isEqualTo(201);
        assertThat(h.post(
                                "/v1/consume",
                                Map.of(
                                        "customerId", "acme",
                                        "feature", "llm-tokens",
                                        "quantity", 1000,
                                        "dimensions", Map.of("model", "gpt-4o"),
                                        "idempotencyKey", "paid-1"))
                        .status())
                .isEqualTo(200);
        assertThat(h.consume("acme", "ai-queries", 3, "c1").status()).isEqualTo(200);
        ApiClient.Reply opened = h.post(
                "/v1/sessions",
                Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "ai-queries",
                        "amount",
                        5,
                        "ttlSeconds",
                        600,
                        "idempotencyKey",
                        "s1"));
        assertThat(opened.status()).as(opened.text()).isEqualTo(201);
        return (String) opened.get("sessionId");
    }

    /** Everything a client can read, as answered. */
    private static List<String> snapshot(Harness h, String session) {
        List<String> out = new ArrayList<>();
        for (String path : List.of(
                "/v1/catalog", "/v1/catalog/versions", "/v1/events/log?limit=1000", "/v1/sessions/" + session)) {
            ApiClient.Reply r = h.get(path);
            out.add(path + " " + r.status() + " " + r.text());
        }
        for (String customer : List.of("acme", "beta")) {
            for (String tail : List.of(
                    "",
                    "/entitlements",
                    "/balance",
                    "/ledger?limit=1000",
                    "/scopes",
                    "/usage?groupBy=feature",
                    "/grants")) {
                String path = "/v1/customers/" + customer + tail;
                ApiClient.Reply r = h.get(path);
                out.add(path + " " + r.status() + " " + r.text());
            }
        }
        return out;
    }
}
