package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Limits;
import dev.tollgate.core.json.Json;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded, bounded fuzzing of the HTTP door (issue 16): {@value #REQUESTS} bad requests over every route, each a valid
 * request with one mutation (a wrong type, a huge or tiny number, deep nesting, an over-long string, a lone surrogate,
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
    private static final String RAW = "\u0001raw:";

    @TempDir
    Path dir;

    /** A field of a route's body and what it must be. */
    private enum Kind {
        ID,
        KEY,
        TEXT,
        TIME,
        NUMBER,
        INT,
        BOOL,
        OBJECT,
        LIST,
        ANY
    }

    private record Field(String name, Kind kind, boolean required) {}

    /** A write (or check) route: a valid body, its fields, and whether its path has ids to break. */
    private record Route(String method, String path, Map<String, Object> body, List<Field> fields) {}

    /** One bad request and what its refusal must name. */
    private record Bad(
            String method,
            String path,
            @Nullable String body,
            String mutation,
            @Nullable String field) {}

    private static Field f(String name, Kind kind) {
        return new Field(name, kind, false);
    }

    private static Field req(String name, Kind kind) {
        return new Field(name, kind, true);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<Route> routes() {
        Map<String, Object> check = map(
                "customerId",
                "acme",
                "feature",
                "ai-queries",
                "quantity",
                1,
                "scope",
                "team",
                "dimensions",
                map("model", "m"));
        List<Field> checkFields = List.of(
                req("customerId", Kind.ID),
                req("feature", Kind.ID),
                f("quantity", Kind.NUMBER),
                f("scope", Kind.ID),
                f("dimensions", Kind.OBJECT));
        Map<String, Object> consume = new LinkedHashMap<>(check);
        consume.put("idempotencyKey", "fz-consume");
        List<Field> consumeFields = new ArrayList<>(checkFields);
        consumeFields.add(req("idempotencyKey", Kind.KEY));
        Map<String, Object> event = map(
                "idempotencyKey",
                "fz-e",
                "customerId",
                "acme",
                "feature",
                "ai-queries",
                "quantity",
                1,
                "scope",
                "team",
                "dimensions",
                map("model", "m"),
                "timestamp",
                "2026-03-02T08:00:00Z");
        return List.of(
                new Route(
                        "PUT",
                        "/v1/catalog",
                        map(
                                "currencies", List.of(map("key", "credits", "depletion", "hard")),
                                "features", List.of(map("key", "q", "type", "metered", "reset", "month")),
                                "plans", List.of(map("key", "p", "entitlements", map("q", map("limit", 5))))),
                        List.of(req("features", Kind.LIST), f("plans", Kind.LIST))),
                new Route("POST", "/v1/catalog/rollback", map("version", 1), List.of(req("version", Kind.INT))),
                new Route(
                        "PUT",
                        "/v1/customers/acme",
                        map("name", "Acme", "metadata", map("tier", "gold", "n", List.of(1, 2.5)), "timeZone", "UTC"),
                        List.of(f("name", Kind.TEXT), f("metadata", Kind.OBJECT), f("timeZone", Kind.TEXT))),
                new Route(
                        "PUT",
                        "/v1/customers/acme/subscription",
                        map(
                                "plan", "pro",
                                "addons", List.of(map("key", "extra-seats", "quantity", 2)),
                                "startAt", "2026-03-02T09:00:00Z",
                                "idempotencyKey", "fz-sub"),
                        List.of(
                                req("plan", Kind.ID),
                                f("addons", Kind.LIST),
                                f("startAt", Kind.TIME),
                                f("idempotencyKey", Kind.KEY))),
                new Route(
                        "POST",
                        "/v1/customers/acme/promotions",
                        map(
                                "feature", "ai-queries",
                                "entitlement", map("limit", 50),
                                "startsAt", "2026-03-02T09:00:00Z",
                                "expiresAt", "2026-04-02T09:00:00Z",
                                "idempotencyKey", "fz-promo"),
                        List.of(
                                req("feature", Kind.ID),
                                req("entitlement", Kind.ANY),
                                f("startsAt", Kind.TIME),
                                f("expiresAt", Kind.TIME),
                                f("idempotencyKey", Kind.KEY))),
                new Route("POST", "/v1/check", check, checkFields),
                new Route("POST", "/v1/consume", consume, consumeFields),
                new Route("POST", "/v1/events", map("events", List.of(event)), List.of(req("events", Kind.LIST))),
                new Route(
                        "PUT",
                        "/v1/customers/acme/scopes/team2",
                        map("kind", "team", "parent", "team", "name", "Team 2"),
                        List.of(f("kind", Kind.ID), f("parent", Kind.ID), f("name", Kind.TEXT))),
                new Route(
                        "PUT",
                        "/v1/customers/acme/scopes/team/budgets/b2",
                        map(
                                "feature",
                                "ai-queries",
                                "limit",
                                100,
                                "period",
                                "month",
                                "enforcement",
                                "hard",
                                "alerts",
                                List.of(0.5, 0.9),
                                "dimensions",
                                map("model", "m")),
                        List.of(
                                f("feature", Kind.ID),
                                req("limit", Kind.NUMBER),
                                f("period", Kind.TEXT),
                                f("enforcement", Kind.TEXT),
                                f("alerts", Kind.LIST),
                                f("dimensions", Kind.OBJECT))),
                new Route(
                        "PUT",
                        "/v1/webhooks/w2",
                        map("url", "https://example.com/hook", "events", List.of("*"), "secret", "0123456789abcdef"),
                        List.of(req("url", Kind.TEXT), f("events", Kind.LIST), req("secret", Kind.TEXT))),
                new Route(
                        "POST",
                        "/v1/sessions",
                        map(
                                "customerId",
                                "acme",
                                "feature",
                                "ai-queries",
                                "amount",
                                5,
                                "ttlSeconds",
                                60,
                                "maxLifetimeSeconds",
                                600,
                                "scope",
                                "team",
                                "idempotencyKey",
                                "fz-session"),
                        List.of(
                                req("customerId", Kind.ID),
                                f("feature", Kind.ID),
                                req("amount", Kind.NUMBER),
                                req("ttlSeconds", Kind.INT),
                                f("maxLifetimeSeconds", Kind.INT),
                                f("scope", Kind.ID),
                                req("idempotencyKey", Kind.KEY))),
                new Route(
                        "POST",
                        "/v1/sessions/SESSION/heartbeat",
                        map("ttlSeconds", 60),
                        List.of(req("ttlSeconds", Kind.INT))),
                new Route("POST", "/v1/sessions/SESSION/close", map("used", 1), List.of(f("used", Kind.NUMBER))),
                new Route(
                        "POST",
                        "/v1/customers/acme/grants",
                        map(
                                "currency",
                                "credits",
                                "amount",
                                10,
                                "category",
                                "paid",
                                "costBasis",
                                1,
                                "priority",
                                3,
                                "effectiveAt",
                                "2026-03-02T09:00:00Z",
                                "expiresAt",
                                "2027-03-02T09:00:00Z",
                                "idempotencyKey",
                                "fz-grant"),
                        List.of(
                                req("currency", Kind.ID),
                                req("amount", Kind.NUMBER),
                                req("category", Kind.TEXT),
                                f("costBasis", Kind.NUMBER),
                                f("priority", Kind.INT),
                                f("effectiveAt", Kind.TIME),
                                f("expiresAt", Kind.TIME),
                                req("idempotencyKey", Kind.KEY))),
                new Route(
                        "POST",
                        "/v1/customers/acme/refunds",
                        map("idempotencyKey", "paid-1"),
                        List.of(req("idempotencyKey", Kind.KEY))),
                new Route(
                        "PUT",
                        "/v1/customers/acme/auto-recharge",
                        map(
                                "currency",
                                "credits",
                                "enabled",
                                true,
                                "threshold",
                                5,
                                "target",
                                50,
                                "amount",
                                20,
                                "costBasis",
                                2,
                                "maxPerPeriod",
                                3,
                                "maxMoneyPerPeriod",
                                100),
                        List.of(
                                req("currency", Kind.ID),
                                f("enabled", Kind.BOOL),
                                req("threshold", Kind.NUMBER),
                                f("target", Kind.NUMBER),
                                req("amount", Kind.NUMBER),
                                f("costBasis", Kind.NUMBER),
                                f("maxPerPeriod", Kind.INT),
                                f("maxMoneyPerPeriod", Kind.NUMBER))));
    }

    /** Reads with a bad path id or query parameter, and writes with a bad path id. */
    private static final List<String> BAD_READS = List.of(
            "/v1/customers/%s",
            "/v1/customers/%s/entitlements",
            "/v1/customers/%s/scopes",
            "/v1/customers/%s/usage",
            "/v1/customers/%s/grants",
            "/v1/customers/%s/balance",
            "/v1/customers/%s/ledger",
            "/v1/customers/%s/ledger/export",
            "/v1/sessions/%s");

    private static final List<String> BAD_QUERIES = List.of(
            "/v1/customers/acme/usage?from=yesterday",
            "/v1/customers/acme/usage?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
            "/v1/customers/acme/usage?feature=%ED%A0%80",
            "/v1/customers/acme/usage?feature=a%00b",
            "/v1/customers/acme/grants?active=maybe",
            "/v1/customers/acme/grants?currency=%20",
            "/v1/customers/acme/ledger?limit=0",
            "/v1/customers/acme/ledger?limit=1e1000000000",
            "/v1/customers/acme/ledger?limit=99999999999999999999",
            "/v1/customers/acme/ledger?cursor=YWZ0ZXI6eA",
            "/v1/customers/acme/ledger/export?format=xml",
            "/v1/events/log?limit=-1",
            "/v1/events/log?customerId=a%20b",
            "/v1/catalog/versions?limit=0",
            "/v1/catalog/versions?cursor=abc",
            "/v1/catalog/versions?limit=1e9");

    private static final List<String> BAD_PATH_IDS =
            List.of("a%20b", "%ED%A0%80", "a%00b", "-x", "x".repeat(Limits.MAX_ID_LENGTH + 1), "%C3%A9", "a%22b");

    private static final List<String> HUGE = List.of(
            "1e1000000000",
            "-1e1000000000",
            "1e20000000",
            "1e-1000000000",
            "1e99999999999",
            "1e" + Limits.MAX_INTEGER_DIGITS,
            "1e-" + (Limits.MAX_FRACTION_DIGITS + 1),
            "1" + "0".repeat(Limits.MAX_INTEGER_DIGITS),
            "0." + "0".repeat(Limits.MAX_FRACTION_DIGITS) + "1");

    private static final List<String> BAD_TEXT = List.of(
            "\"k\\ud800x\"", "\"\\udc00\"", "\"\\ud83d\"", "\"a\\u0000b\"", "\"\\u0000\"", "\"x\\udfff\\ud800\"");

    private static final List<String> BAD_TIMES = List.of(
            "2026-13-01T00:00:00Z",
            "-999999999-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "yesterday",
            "2026-03-02",
            "2026-03-02T09:00:00");

    /** Other writes refused from their path or query alone. */
    private static final List<String> BAD_WRITES = List.of(
            "DELETE /v1/customers/acme/subscription?at=tomorrow",
            "DELETE /v1/customers/a%20b/subscription",
            "POST /v1/customers/acme/grants/a%20b/void",
            "POST /v1/customers/acme/grants/%ED%A0%80/void",
            "POST /v1/customers/-x/grants/g/void");

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
            List<Route> routes = routes();
            int sent = 0;
            for (int i = 0; i < REQUESTS; i++) {
                Bad bad = next(random, routes, session);
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

    // ---- the generator ----

    private static Bad next(Random random, List<Route> routes, String session) {
        int pick = random.nextInt(20);
        if (pick == 0) {
            if (random.nextInt(4) == 0) {
                String[] write =
                        BAD_WRITES.get(random.nextInt(BAD_WRITES.size())).split(" ");
                return new Bad(write[0], write[1], null, "bad path or query", null);
            }
            return new Bad("GET", BAD_QUERIES.get(random.nextInt(BAD_QUERIES.size())), null, "bad query", null);
        }
        if (pick == 1) {
            String id = BAD_PATH_IDS.get(random.nextInt(BAD_PATH_IDS.size()));
            String path = BAD_READS.get(random.nextInt(BAD_READS.size())).formatted(id);
            return new Bad("GET", path, null, "bad path id", null);
        }
        Route route = routes.get(random.nextInt(routes.size()));
        String path = route.path().replace("SESSION", session);
        if (pick == 2 && path.contains("acme")) {
            String id = BAD_PATH_IDS.get(random.nextInt(BAD_PATH_IDS.size()));
            return new Bad(route.method(), path.replace("acme", id), write(copy(route.body())), "bad path id", null);
        }
        if (pick == 3) {
            String body = write(copy(route.body()));
            String broken = switch (random.nextInt(6)) {
                case 0 -> body.substring(0, random.nextInt(body.length()));
                case 1 -> body + " x";
                case 2 -> "[" + body + "]";
                case 3 -> "\"" + "x".repeat(random.nextInt(10)) + "\"";
                case 4 -> "null";
                default -> "{\"a\":" + "[".repeat(600) + "]".repeat(600) + "}";
            };
            return new Bad(route.method(), path, broken, "broken body", null);
        }
        Map<String, Object> body = copy(route.body());
        boolean events = route.path().equals("/v1/events") && random.nextBoolean();
        Map<String, Object> target = body;
        String prefix = "";
        List<Field> fields = route.fields();
        if (events) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) body.get("events");
            @SuppressWarnings("unchecked")
            Map<String, Object> event = (Map<String, Object>) list.get(0);
            target = event;
            prefix = "events[0].";
            fields = List.of(
                    req("idempotencyKey", Kind.KEY),
                    req("customerId", Kind.ID),
                    req("feature", Kind.ID),
                    req("quantity", Kind.NUMBER),
                    f("scope", Kind.ID),
                    f("dimensions", Kind.OBJECT),
                    f("timestamp", Kind.TIME));
        }
        String mutation;
        String field;
        switch (random.nextInt(11)) {
            case 0 -> {
                Field x = fields.get(random.nextInt(fields.size()));
                target.put(x.name(), wrongType(random, x.kind()));
                mutation = "wrong type";
                field = prefix + x.name();
            }
            case 1, 2 -> {
                Slot slot = anySlot(random, target, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
                slot.set(raw(HUGE.get(random.nextInt(HUGE.size()))));
                mutation = "huge number";
                field = slot.path();
            }
            case 3 -> {
                Slot slot = anySlot(random, target, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
                int depth = Limits.MAX_DEPTH + random.nextInt(40);
                slot.set(raw("[".repeat(depth) + "]".repeat(depth)));
                mutation = "deep nesting";
                field = slot.path();
            }
            case 4 -> {
                Field x = pickOf(random, fields, Kind.ID, Kind.KEY, Kind.TEXT);
                if (x == null) {
                    return new Bad(route.method(), path, write(body) + "}", "broken body", null);
                }
                int length = switch (x.kind()) {
                    case ID -> Limits.MAX_ID_LENGTH + 1 + random.nextInt(100);
                    case KEY -> Limits.MAX_KEY_LENGTH + 1 + random.nextInt(100);
                    default -> Limits.MAX_STRING_LENGTH + 1 + random.nextInt(10_000);
                };
                target.put(x.name(), "a".repeat(length));
                mutation = "long string";
                field = prefix + x.name();
            }
            case 5 -> {
                Slot slot = anySlot(random, target, prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1));
                slot.set(raw(BAD_TEXT.get(random.nextInt(BAD_TEXT.size()))));
                mutation = "ill-formed text";
                field = slot.path();
            }
            case 6 -> {
                Field x = pickOf(random, fields, Kind.TIME);
                if (x == null) {
                    x = fields.get(random.nextInt(fields.size()));
                    target.put(x.name(), wrongType(random, x.kind()));
                    mutation = "wrong type";
                } else {
                    target.put(x.name(), BAD_TIMES.get(random.nextInt(BAD_TIMES.size())));
                    mutation = "bad date";
                }
                field = prefix + x.name();
            }
            case 7 -> {
                target.put("zz" + random.nextInt(100), 1);
                mutation = "unknown field";
                field = route.path().equals("/v1/catalog") && !events ? null : prefix + "zz";
            }
            case 8 -> {
                String name = new ArrayList<>(target.keySet()).get(random.nextInt(target.size()));
                Object value = target.get(name);
                target.put(RAW + "dup", raw(Json.write(name) + ":" + Json.write(value)));
                mutation = "repeated name";
                field = prefix + name;
            }
            case 9 -> {
                Field x = pickRequired(random, fields);
                if (x == null) {
                    target.put("zz", 1);
                    mutation = "unknown field";
                    field = prefix + "zz";
                } else {
                    target.remove(x.name());
                    mutation = "missing field";
                    field = route.path().equals("/v1/catalog") && !events ? null : prefix + x.name();
                }
            }
            default -> {
                String bad = BAD_TEXT.get(random.nextInt(BAD_TEXT.size()));
                target.put(RAW + "name", raw(bad + ":1"));
                mutation = "ill-formed name";
                field = null;
            }
        }
        if (route.path().equals("/v1/catalog")
                && !mutation.equals("huge number")
                && !mutation.equals("ill-formed text")
                && !mutation.equals("deep nesting")
                && !mutation.equals("repeated name")) {
            field = null; // the catalog's own checks name their paths in errors[]
        }
        return new Bad(route.method(), path, write(body), mutation, field);
    }

    private static @Nullable Field pickOf(Random random, List<Field> fields, Kind... kinds) {
        List<Field> fit = new ArrayList<>();
        for (Field x : fields) {
            if (List.of(kinds).contains(x.kind())) {
                fit.add(x);
            }
        }
        return fit.isEmpty() ? null : fit.get(random.nextInt(fit.size()));
    }

    private static @Nullable Field pickRequired(Random random, List<Field> fields) {
        List<Field> fit = new ArrayList<>();
        for (Field x : fields) {
            if (x.required()) {
                fit.add(x);
            }
        }
        return fit.isEmpty() ? null : fit.get(random.nextInt(fit.size()));
    }

    private static Object wrongType(Random random, Kind kind) {
        return switch (kind) {
            case ID, KEY, TEXT, TIME -> random.nextBoolean() ? 7 : List.of("x");
            case NUMBER, INT -> random.nextBoolean() ? "5" : Boolean.TRUE;
            case BOOL -> "true";
            case OBJECT, ANY -> random.nextBoolean() ? "x" : List.of(1);
            case LIST -> random.nextBoolean() ? "x" : map("a", 1);
        };
    }

    /** A place in the tree that holds a value, and its path as the server names it. */
    private record Slot(Object container, Object key, String path) {
        @SuppressWarnings("unchecked")
        void set(Object value) {
            if (container instanceof Map<?, ?> m) {
                ((Map<String, Object>) m).put((String) key, value);
            } else {
                ((List<Object>) container).set((Integer) key, value);
            }
        }
    }

    private static Slot anySlot(Random random, Map<String, Object> tree, String path) {
        List<Slot> slots = new ArrayList<>();
        collect(tree, path, slots);
        return slots.get(random.nextInt(slots.size()));
    }

    private static void collect(Object container, String path, List<Slot> out) {
        if (container instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = (String) e.getKey();
                String p = path.isEmpty() ? key : path + "." + key;
                out.add(new Slot(container, key, p));
                collect(e.getValue(), p, out);
            }
        } else if (container instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(container, i, p));
                collect(l.get(i), p, out);
            }
        }
    }

    /** A deep, mutable copy of a template. */
    @SuppressWarnings("unchecked")
    private static <T> T copy(T tree) {
        if (tree instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, copy(v)));
            return (T) out;
        }
        if (tree instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(copy(v)));
            return (T) out;
        }
        if (tree instanceof Integer || tree instanceof Double) {
            return (T) new BigDecimal(tree.toString());
        }
        return tree;
    }

    /** JSON text written as it is: a number no tree could hold, an escape no string could, a repeated name. */
    private record Raw(String text) {}

    private static Raw raw(String text) {
        return new Raw(text);
    }

    /** Writes a tree as JSON, with {@link Raw} values as they are and entries named {@code RAW...} as raw members. */
    private static String write(@Nullable Object tree) {
        StringBuilder out = new StringBuilder();
        write(tree, out);
        return out.toString();
    }

    private static void write(@Nullable Object tree, StringBuilder out) {
        if (tree instanceof Raw r) {
            out.append(r.text());
        } else if (tree instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                String key = (String) e.getKey();
                if (key.startsWith(RAW)) {
                    out.append(((Raw) e.getValue()).text());
                } else {
                    out.append(Json.write(key)).append(':');
                    write(e.getValue(), out);
                }
            }
            out.append('}');
        } else if (tree instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(l.get(i), out);
            }
            out.append(']');
        } else {
            out.append(Json.write(tree));
        }
    }
}
