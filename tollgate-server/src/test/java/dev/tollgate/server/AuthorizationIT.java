package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tollgate.server.auth.CustomerTokens;
import dev.tollgate.server.http.RouteTable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20, the authorization matrix: every route of the route table (as the server lists it, so a route added later
 * is tried too) with a publishable key and with portal tokens, over HTTP, on SQLite and PostgreSQL. A publishable key
 * writes nothing and reads only its one route; a portal token of one customer gets nothing of another; a portal token
 * with a scope sees its subtree only; a portal token changes budgets only as its permissions say. After every refused
 * attempt, what the operator reads of both customers, the catalog, the webhooks and the keys is what it was.
 */
final class AuthorizationIT {
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;

    /** The world every test starts from, and the credentials it tries. */
    private static final class World {
        final Harness h;
        final Map<String, String> grantOf = new LinkedHashMap<>();
        final Map<String, String> sessionOf = new LinkedHashMap<>();
        String publishableKey = "";
        String signingSecret = "";
        String secretKeyId = "";
        String portalSessionId = "";

        World(Harness h) {
            this.h = h;
        }

        /** What the operator reads of everything a refused call could have changed. */
        String snapshot() {
            StringBuilder all = new StringBuilder();
            for (String c : List.of("acme", "globex")) {
                for (String tail : List.of(
                        "", "/entitlements", "/balance", "/ledger", "/grants", "/scopes", "/usage?groupBy=scope")) {
                    all.append(h.get("/v1/customers/" + c + tail).text()).append('\n');
                }
                all.append(h.get("/v1/events/log?customerId=" + c).text()).append('\n');
            }
            for (String path : List.of("/v1/catalog/versions", "/v1/webhooks", "/v1/keys", "/v1/customers")) {
                all.append(h.get(path).text()).append('\n');
            }
            return all.toString();
        }
    }

    private static World world(Harness h) {
        World w = new World(h);
        assertThat(h.applySampleCatalog().status()).isEqualTo(200);
        h.customerOn("acme", "enterprise");
        h.customerOn("globex", "pro");
        ok(h.put("/v1/customers/acme/scopes/eng", Map.of("kind", "department")));
        ok(h.put("/v1/customers/acme/scopes/ml", Map.of("kind", "team", "parent", "eng")));
        ok(h.put("/v1/customers/acme/scopes/sales", Map.of("kind", "department")));
        ok(h.put("/v1/customers/globex/scopes/eng", Map.of("kind", "department")));
        for (String c : List.of("acme", "globex")) {
            ok(h.put(
                    "/v1/customers/" + c + "/scopes/eng/budgets/b1",
                    Map.of("feature", "ai-queries", "limit", 100, "alerts", List.of(new BigDecimal("0.5")))));
            ApiClient.Reply grant = h.post(
                    "/v1/customers/" + c + "/grants",
                    Map.of("currency", "credits", "amount", 10, "category", "paid", "idempotencyKey", "g-" + c));
            ok(grant);
            w.grantOf.put(c, (String) grant.get("id"));
            ApiClient.Reply session = h.post(
                    "/v1/sessions",
                    Map.of(
                            "customerId",
                            c,
                            "feature",
                            "ai-queries",
                            "amount",
                            5,
                            "ttlSeconds",
                            600,
                            "idempotencyKey",
                            "s-" + c));
            assertThat(session.status()).as(session.text()).isEqualTo(201);
            w.sessionOf.put(c, (String) session.get("sessionId"));
        }
        ok(h.put(
                "/v1/customers/acme/scopes/sales/budgets/s1",
                Map.of("feature", "ai-queries", "limit", 500, "alerts", List.of(new BigDecimal("0.1")))));
        for (String scope : List.of("ml", "sales")) {
            ok(h.post(
                    "/v1/consume",
                    Map.of(
                            "customerId",
                            "acme",
                            "feature",
                            "ai-queries",
                            "quantity",
                            60,
                            "scope",
                            scope,
                            "idempotencyKey",
                            "u-" + scope)));
        }
        ok(h.post(
                "/v1/consume",
                Map.of("customerId", "globex", "feature", "ai-queries", "quantity", 3, "idempotencyKey", "u-g")));
        ApiClient.Reply pk = h.post("/v1/keys", Map.of("kind", "publishable", "name", "web"));
        assertThat(pk.status()).isEqualTo(201);
        w.publishableKey = (String) pk.get("key");
        w.signingSecret = (String) pk.get("signingSecret");
        ApiClient.Reply sk = h.post("/v1/keys", Map.of("kind", "secret", "name", "ops"));
        w.secretKeyId = (String) sk.get("id");
        w.portalSessionId = (String)
                h.post("/v1/portal-sessions", Map.of("customerId", "globex")).get("id");
        return w;
    }

    private static void ok(ApiClient.Reply r) {
        assertThat(r.status()).as(r.text()).isBetween(200, 201);
    }

    private static String portal(Harness h, String customer, @Nullable String scope, List<String> permissions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("customerId", customer);
        if (scope != null) {
            body.put("scope", scope);
        }
        body.put("permissions", permissions);
        ApiClient.Reply r = h.post("/v1/portal-sessions", body);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return (String) r.get("token");
    }

    /** A route made concrete for {@code customer}: its path, and a body that would do something were it allowed. */
    private record Call(
            String method,
            String template,
            String path,
            @Nullable Object body) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every route of the server, each made concrete for {@code customer}. */
    private static List<Call> everyRoute(World w, String customer) {
        List<Call> calls = new ArrayList<>();
        for (RouteTable.Route r : w.h.server().routes()) {
            if (!RouteTable.needsKey(r.path())) {
                continue;
            }
            String path = r.path();
            for (String param : params(path)) {
                String value = switch (param) {
                    case "customerId" -> customer;
                    case "scopeId" -> "eng";
                    case "budgetKey" -> "b1";
                    case "grantId" -> w.grantOf.get(customer);
                    case "sessionId" ->
                        path.startsWith("/v1/portal-sessions") ? w.portalSessionId : w.sessionOf.get(customer);
                    case "webhookId" -> "wh1";
                    case "keyId" -> w.secretKeyId;
                    case "n" -> "1";
                    case "period" -> "2026-11";
                    default -> fail("a route with a parameter the matrix does not know: %s; teach it", path);
                };
                path = path.replace("{" + param + "}", value);
            }
            if (path.equals("/v1/events/log") || path.equals("/v1/stream")) {
                path += (path.endsWith("log") ? "?customerId=" : "?customers=") + customer;
            }
            calls.add(new Call(r.method(), r.path(), path, body(r.method(), r.path(), customer)));
        }
        assertThat(calls).as("the matrix tries the routes").hasSizeGreaterThan(40);
        return calls;
    }

    private static List<String> params(String template) {
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** A body that changes something, were the call allowed; {@code null} for reads. */
    private static @Nullable Object body(String method, String template, String customer) {
        if (method.equals("GET") || method.equals("DELETE")) {
            return null;
        }
        Map<String, Object> b = new LinkedHashMap<>();
        switch (template) {
            case "/v1/check", "/v1/consume", "/v1/sessions" -> {
                b.put("customerId", customer);
                b.put("feature", "ai-queries");
                b.put(template.equals("/v1/sessions") ? "amount" : "quantity", 1);
                b.put("idempotencyKey", "attempt-" + template);
                if (template.equals("/v1/sessions")) {
                    b.put("ttlSeconds", 60);
                }
            }
            case "/v1/events" ->
                b.put(
                        "events",
                        List.of(Map.of(
                                "customerId",
                                customer,
                                "feature",
                                "ai-queries",
                                "quantity",
                                1,
                                "idempotencyKey",
                                "attempt-event")));
            case "/v1/portal-sessions" -> b.put("customerId", customer);
            case "/v1/keys" -> {
                b.put("kind", "secret");
                b.put("name", "stolen");
            }
            case "/v1/customers/{customerId}/grants" -> {
                b.put("currency", "credits");
                b.put("amount", 1000);
                b.put("category", "paid");
                b.put("idempotencyKey", "attempt-grant");
            }
            case "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}" -> {
                b.put("feature", "ai-queries");
                b.put("limit", 1_000_000);
            }
            case "/v1/customers/{customerId}/subscription" -> b.put("plan", "free");
            case "/v1/customers/{customerId}" -> b.put("name", "renamed");
            case "/v1/customers/{customerId}/scopes/{scopeId}" -> b.put("kind", "team");
            default -> {}
        }
        return b;
    }

    private static ApiClient.Reply send(Harness h, Call c, Map<String, String> headers) {
        return h.call(c.method(), c.path(), c.body(), headers);
    }

    private static void assertRefused(ApiClient.Reply r, Call c, int status, String code) {
        assertThat(r.status()).as("%s answered %s", c, r.text()).isEqualTo(status);
        assertThat(r.error()).as("%s", c).containsEntry("code", code);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_publishable_key_writes_nothing_and_reads_one_customer_with_its_token(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            World w = world(s.h);
            String before = w.snapshot();
            Map<String, String> acme = Map.of(
                    "Authorization",
                    "Bearer " + w.publishableKey,
                    "X-Customer-Token",
                    CustomerTokens.token(w.signingSecret, "acme"));
            int tried = 0;
            for (Call c : everyRoute(w, "acme")) {
                ApiClient.Reply r = send(w.h, c, acme);
                if (c.template().equals("/v1/public/customers/{customerId}/entitlements")) {
                    assertThat(r.status()).as("%s: %s", c, r.text()).isEqualTo(200);
                    assertThat(r.get("customerId")).isEqualTo("acme");
                } else {
                    assertRefused(r, c, 403, "FORBIDDEN");
                    tried++;
                }
            }
            assertThat(tried).as("every other route refused").isGreaterThan(40);
            assertThat(w.snapshot()).as("nothing changed").isEqualTo(before);

            ApiClient.Reply other = w.h.call("GET", "/v1/public/customers/globex/entitlements", null, acme);
            assertThat(other.status()).as("acme's token for globex").isEqualTo(401);
            assertThat(other.error())
                    .containsEntry("code", "INVALID_CUSTOMER_TOKEN")
                    .containsEntry("field", "X-Customer-Token");
            ApiClient.Reply none = w.h.call(
                    "GET",
                    "/v1/public/customers/acme/entitlements",
                    null,
                    Map.of("Authorization", "Bearer " + w.publishableKey));
            assertThat(none.status()).isEqualTo(401);
            ApiClient.Reply unknownRoute = w.h.call("GET", "/v1/nowhere", null, acme);
            assertThat(unknownRoute.status()).as("no route is revealed").isEqualTo(403);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_portal_token_of_one_customer_gets_nothing_of_another(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            World w = world(s.h);
            String token = portal(w.h, "acme", null, List.of("read", "budgets", "alerts"));
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
            String before = w.snapshot();
            int tried = 0;
            for (Call c : everyRoute(w, "globex")) {
                if (c.template().equals("/v1/portal/session")) {
                    continue; // its own session, whatever the customer: below
                }
                assertRefused(send(w.h, c, bearer), c, 403, "FORBIDDEN");
                tried++;
            }
            assertThat(tried).isGreaterThan(40);
            assertThat(w.snapshot()).as("nothing of globex (or anyone) changed").isEqualTo(before);

            // its own customer: the reads it may make answer, and what it may never call is refused
            int allowed = 0;
            for (Call c : everyRoute(w, "acme")) {
                if (c.method().equals("DELETE") && c.template().equals("/v1/portal/session")) {
                    continue; // signing out: KeysIT
                }
                ApiClient.Reply r = send(w.h, c, bearer);
                boolean mayCall = (c.method().equals("GET")
                                && (c.template().startsWith("/v1/customers/{customerId}")
                                        || c.template().equals("/v1/events/log")))
                        || c.template().endsWith("/budgets/{budgetKey}")
                        || c.template().equals("/v1/portal/session");
                if (mayCall) {
                    assertThat(r.status()).as("%s: %s", c, r.text()).isEqualTo(200);
                    allowed++;
                } else {
                    assertRefused(r, c, 403, "FORBIDDEN");
                }
            }
            assertThat(allowed).isGreaterThanOrEqualTo(12);
            ApiClient.Reply who = w.h.call("GET", "/v1/portal/session", null, bearer);
            assertThat(who.get("customerId")).isEqualTo("acme");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_portal_token_with_a_scope_sees_and_changes_its_subtree_only(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            World w = world(s.h);
            Harness h = w.h;
            Map<String, String> eng =
                    Map.of("Authorization", "Bearer " + portal(h, "acme", "eng", List.of("read", "budgets")));

            ApiClient.Reply scopes = h.call("GET", "/v1/customers/acme/scopes", null, eng);
            assertThat(scopes.status()).as(scopes.text()).isEqualTo(200);
            assertThat(scopes.text()).contains("\"eng\"", "\"ml\"").doesNotContain("sales");

            ApiClient.Reply usage = h.call("GET", "/v1/customers/acme/usage?groupBy=scope", null, eng);
            assertThat(usage.status()).as(usage.text()).isEqualTo(200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) usage.get("rows");
            assertThat(rows).extracting(r -> r.get("scope")).containsExactly("ml");
            assertThat((BigDecimal) rows.get(0).get("quantity")).isEqualByComparingTo("60");
            ApiClient.Reply all = h.get("/v1/customers/acme/usage?groupBy=scope");
            assertThat(all.text()).as("the operator sees sales").contains("sales");

            ApiClient.Reply salesUsage = h.call("GET", "/v1/customers/acme/usage?scope=sales", null, eng);
            assertThat(salesUsage.status()).isEqualTo(403);
            assertThat(salesUsage.error()).containsEntry("code", "FORBIDDEN").containsEntry("field", "scope");

            ApiClient.Reply log = h.call("GET", "/v1/events/log?customerId=acme", null, eng);
            assertThat(log.status()).as(log.text()).isEqualTo(200);
            assertThat(h.get("/v1/events/log?customerId=acme").text())
                    .as("the operator's log has sales' alert")
                    .contains("\"sales\"");
            assertThat(log.text()).contains("\"eng\"").doesNotContain("\"sales\"");

            ApiClient.Reply running = h.call("GET", "/v1/customers/acme/sessions", null, eng);
            assertThat(running.status()).as(running.text()).isEqualTo(200);
            assertThat(h.get("/v1/customers/acme/sessions").text())
                    .as("the operator sees the session opened at the customer's root")
                    .contains(w.sessionOf.get("acme"));
            assertThat(running.text()).as("not under eng").doesNotContain(w.sessionOf.get("acme"));

            String before = w.snapshot();
            ApiClient.Reply salesBudget = h.call(
                    "PUT",
                    "/v1/customers/acme/scopes/sales/budgets/s1",
                    Map.of("feature", "ai-queries", "limit", 1_000_000),
                    eng);
            assertThat(salesBudget.status()).isEqualTo(403);
            assertThat(salesBudget.error()).containsEntry("field", "scopeId");
            for (String whole :
                    List.of("entitlements", "balance", "grants", "ledger", "ledger/export", "usage/export")) {
                ApiClient.Reply r = h.call("GET", "/v1/customers/acme/" + whole, null, eng);
                assertThat(r.status()).as(whole).isEqualTo(403);
                assertThat(r.error()).containsEntry("field", "scope");
            }
            assertThat(w.snapshot()).as("nothing changed").isEqualTo(before);

            ApiClient.Reply mlBudget = h.call(
                    "PUT",
                    "/v1/customers/acme/scopes/ml/budgets/cap",
                    Map.of("feature", "ai-queries", "limit", 70),
                    eng);
            assertThat(mlBudget.status()).as(mlBudget.text()).isEqualTo(200);
            assertThat(h.get("/v1/customers/acme/scopes").text())
                    .as("the change is visible over the API")
                    .contains("\"cap\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void a_portal_token_changes_budgets_only_as_its_permissions_say(String store) {
        try (StoreHarness s = StoreHarness.start(store, dir, START)) {
            World w = world(s.h);
            Harness h = w.h;
            Map<String, String> readOnly = Map.of("Authorization", "Bearer " + portal(h, "acme", null, List.of()));
            Map<String, String> alerts =
                    Map.of("Authorization", "Bearer " + portal(h, "acme", null, List.of("alerts")));
            String budget = "/v1/customers/acme/scopes/eng/budgets/b1";
            String before = w.snapshot();

            ApiClient.Reply r = h.call("PUT", budget, Map.of("feature", "ai-queries", "limit", 100), readOnly);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.error()).containsEntry("code", "PERMISSION_REQUIRED").containsEntry("field", "permissions");

            r = h.call(
                    "PUT",
                    budget,
                    Map.of("feature", "ai-queries", "limit", 5000, "alerts", List.of(new BigDecimal("0.9"))),
                    alerts);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.error()).containsEntry("code", "PERMISSION_REQUIRED").containsEntry("field", "limit");

            r = h.call(
                    "PUT",
                    "/v1/customers/acme/scopes/eng/budgets/new",
                    Map.of("feature", "ai-queries", "limit", 100, "alerts", List.of(new BigDecimal("0.9"))),
                    alerts);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.error()).containsEntry("code", "PERMISSION_REQUIRED");
            assertThat(w.snapshot()).as("nothing changed").isEqualTo(before);

            r = h.call(
                    "PUT",
                    budget,
                    Map.of("feature", "ai-queries", "limit", 100, "alerts", List.of(new BigDecimal("0.9"))),
                    alerts);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(h.get("/v1/customers/acme/scopes").text()).contains("0.9");
        }
    }
}
