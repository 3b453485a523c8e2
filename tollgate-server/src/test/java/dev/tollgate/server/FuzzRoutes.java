package dev.tollgate.server;

import dev.tollgate.core.Limits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link FuzzIT} breaks: a valid request for every write (and check, and what-if) route, the fields of its body and what each
 * must be, and the bad values it draws from (path ids, queries, numbers, text, times). Stateless.
 */
final class FuzzRoutes {
    private FuzzRoutes() {}

    /** A field of a route's body and what it must be. */
    enum Kind {
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

    record Field(String name, Kind kind, boolean required) {}

    /** A write (or check) route: a valid body, its fields, and whether its path has ids to break. */
    record Route(String method, String path, Map<String, Object> body, List<Field> fields) {}

    static Field f(String name, Kind kind) {
        return new Field(name, kind, false);
    }

    static Field req(String name, Kind kind) {
        return new Field(name, kind, true);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Every route, in the order the generator draws from. */
    static List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.addAll(catalogAndCustomers());
        routes.addAll(metering());
        routes.addAll(governance());
        routes.addAll(sessions());
        routes.addAll(credits());
        routes.addAll(autoRecharge());
        routes.addAll(finance());
        return List.copyOf(routes);
    }

    /** The fields of one event of a {@code /v1/events} batch. */
    static final List<Field> EVENT_FIELDS = List.of(
            req("idempotencyKey", Kind.KEY),
            req("customerId", Kind.ID),
            req("feature", Kind.ID),
            req("quantity", Kind.NUMBER),
            f("scope", Kind.ID),
            f("dimensions", Kind.OBJECT),
            f("timestamp", Kind.TIME));

    private static List<Route> catalogAndCustomers() {
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
                                f("idempotencyKey", Kind.KEY))));
    }

    private static List<Route> metering() {
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
                new Route("POST", "/v1/check", check, checkFields),
                new Route("POST", "/v1/consume", consume, consumeFields),
                new Route("POST", "/v1/events", map("events", List.of(event)), List.of(req("events", Kind.LIST))));
    }

    private static List<Route> governance() {
        return List.of(
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
                        List.of(req("url", Kind.TEXT), f("events", Kind.LIST), req("secret", Kind.TEXT))));
    }

    private static List<Route> sessions() {
        return List.of(
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
                                "quote",
                                true,
                                "idempotencyKey",
                                "fz-session"),
                        List.of(
                                req("customerId", Kind.ID),
                                f("feature", Kind.ID),
                                req("amount", Kind.NUMBER),
                                req("ttlSeconds", Kind.INT),
                                f("maxLifetimeSeconds", Kind.INT),
                                f("scope", Kind.ID),
                                f("quote", Kind.BOOL),
                                req("idempotencyKey", Kind.KEY))),
                new Route(
                        "POST",
                        "/v1/sessions/SESSION/heartbeat",
                        map("ttlSeconds", 60),
                        List.of(req("ttlSeconds", Kind.INT))),
                new Route("POST", "/v1/sessions/SESSION/close", map("used", 1), List.of(f("used", Kind.NUMBER))));
    }

    private static List<Route> credits() {
        return List.of(
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
                        List.of(req("idempotencyKey", Kind.KEY))));
    }

    private static List<Route> autoRecharge() {
        return List.of(new Route(
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
    static final List<String> BAD_READS = List.of(
            "/v1/customers/%s",
            "/v1/customers/%s/entitlements",
            "/v1/customers/%s/scopes",
            "/v1/customers/%s/usage",
            "/v1/customers/%s/grants",
            "/v1/customers/%s/balance",
            "/v1/customers/%s/ledger",
            "/v1/customers/%s/ledger/export",
            "/v1/sessions/%s");

    static final List<String> BAD_QUERIES = List.of(
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

    static final List<String> BAD_PATH_IDS =
            List.of("a%20b", "%ED%A0%80", "a%00b", "-x", "x".repeat(Limits.MAX_ID_LENGTH + 1), "%C3%A9", "a%22b");

    static final List<String> HUGE = List.of(
            "1e1000000000",
            "-1e1000000000",
            "1e20000000",
            "1e-1000000000",
            "1e99999999999",
            "1e" + Limits.MAX_INTEGER_DIGITS,
            "1e-" + (Limits.MAX_FRACTION_DIGITS + 1),
            "1" + "0".repeat(Limits.MAX_INTEGER_DIGITS),
            "0." + "0".repeat(Limits.MAX_FRACTION_DIGITS) + "1");

    static final List<String> BAD_TEXT = List.of(
            "\"k\\ud800x\"", "\"\\udc00\"", "\"\\ud83d\"", "\"a\\u0000b\"", "\"\\u0000\"", "\"x\\udfff\\ud800\"");

    static final List<String> BAD_TIMES = List.of(
            "2026-13-01T00:00:00Z",
            "-999999999-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "yesterday",
            "2026-03-02",
            "2026-03-02T09:00:00");

    /** Other writes refused from their path or query alone. */
    static final List<String> BAD_WRITES = List.of(
            "DELETE /v1/customers/acme/subscription?at=tomorrow",
            "DELETE /v1/customers/a%20b/subscription",
            "POST /v1/customers/acme/grants/a%20b/void",
            "POST /v1/customers/acme/grants/%ED%A0%80/void",
            "POST /v1/customers/-x/grants/g/void");

    /** The what-if: a read that takes a body (a draft catalog over the fuzz world's plans). */
    private static List<Route> finance() {
        Map<String, Object> draft = map(
                "features",
                List.of(map("key", "ai-queries", "type", "metered"), map("key", "llm-tokens", "type", "metered")),
                "plans",
                List.of(
                        map("key", "pro", "entitlements", map("ai-queries", map("limit", 5))),
                        map("key", "free", "entitlements", map("ai-queries", map("limit", 1)))));
        return List.of(new Route(
                "POST",
                "/v1/what-if",
                map(
                        "catalog",
                        draft,
                        "from",
                        "2026-03-01T00:00:00Z",
                        "to",
                        "2026-04-01T00:00:00Z",
                        "customers",
                        List.of("acme", "beta"),
                        "plans",
                        map("enterprise", "pro"),
                        "sample",
                        5),
                List.of(
                        req("catalog", Kind.OBJECT),
                        req("from", Kind.TIME),
                        req("to", Kind.TIME),
                        f("customers", Kind.LIST),
                        f("plans", Kind.OBJECT),
                        f("sample", Kind.INT))));
    }
}
