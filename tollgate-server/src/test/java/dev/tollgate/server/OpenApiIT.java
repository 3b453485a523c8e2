package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.core.json.Json;
import dev.tollgate.server.auth.ApiKeys;
import dev.tollgate.server.auth.NodeProof;
import dev.tollgate.server.billing.StripeSettings;
import dev.tollgate.server.cluster.ClusterRouter;
import dev.tollgate.server.http.Trees;
import dev.tollgate.server.webhook.WebhookAddresses;
import dev.tollgate.testkit.PostgresTestSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI description ({@code openapi.json}) against the real server: every endpoint driven over HTTP, its
 * successes and its main refusals (400 naming the field, 401, 403, 404, 409), each answer's status, headers and body
 * checked against what the description gives for it, and each JSON body sent against its request schema ({@link
 * OpenApiTour}). Keys, portal tokens and the publishable key's read are driven by {@link OpenApiAccessSteps}; billing
 * (with the Stripe exporter sending a closed month to a {@link FakeStripe}), the margin report and the what-if by
 * {@link OpenApiFinanceSteps}. The first test runs a server alone on SQLite and asserts that every operation but the
 * cluster's answered a success, a 401 and a 403; the second runs a node of a cluster on PostgreSQL for {@code
 * /v1/cluster} and its internal follow.
 */
final class OpenApiIT {
    /** Every path parameter of the description, which a request to any operation fills. */
    static final List<String> PATH_PARAMETERS =
            List.of("customerId", "scopeId", "budgetKey", "grantId", "sessionId", "webhookId", "n", "keyId", "period");

    private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
    private static final OpenApiContract CONTRACT = OpenApiContract.load();

    @Test
    void every_endpoint_answers_as_the_description_says(@TempDir Path dir) throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
                FakeStripe stripe = new FakeStripe(0);
                Harness h = new Harness(
                        dir,
                        START,
                        c -> c.toBuilder()
                                .webhookAddresses(WebhookAddresses.ANY)
                                .stripe(new StripeSettings("sk_test_fake", stripe.baseUrl(), "usd"))
                                .build())) {
            OpenApiTour t = new OpenApiTour(CONTRACT, h::port);
            operations(t, h);
            catalogBefore(t);
            customers(t);
            requestPath(t);
            credits(t);
            governance(t);
            alerts(t, receiver);
            changeFeed(t, h);
            catalogAfter(t);
            OpenApiAccessSteps.Publishable publishable = OpenApiAccessSteps.keys(t);
            OpenApiAccessSteps.publicEntitlements(t, publishable);
            String portalToken = OpenApiAccessSteps.portal(t);
            OpenApiFinanceSteps.openMonth(t);
            OpenApiFinanceSteps.margin(t);
            OpenApiFinanceSteps.whatIf(t, CONTRACT);
            cancellation(t);
            notACluster(t);
            OpenApiAccessSteps.restricted(t, CONTRACT, publishable, portalToken);
            unauthenticated(t);
            h.clock.set(Instant.parse("2026-04-01T00:11:00Z"));
            OpenApiFinanceSteps.closedMonth(t);

            assertThat(t.problems()).as("what the description gets wrong").isEmpty();
            Set<String> served = new LinkedHashSet<>(CONTRACT.operations());
            ClusterRouter.ROUTES.forEach(served::remove);
            assertThat(t.withoutSuccess(served))
                    .as("operations never driven to a success; answered: %s", t.answered())
                    .isEmpty();
            Set<String> keyed = new LinkedHashSet<>(served);
            keyed.removeIf(op -> !op.contains(" /v1"));
            assertThat(t.without(keyed, 401))
                    .as("operations never refused a request without a key")
                    .isEmpty();
            assertThat(t.without(keyed, 403))
                    .as("operations never refused a credential that may not call them")
                    .isEmpty();
        }
    }

    private static void operations(OpenApiTour t, Harness h) throws IOException {
        t.to("GET", "/health").anonymous().expect(200);
        t.to("GET", "/ready").anonymous().expect(200);
        assertThat(t.to("GET", "/metrics").anonymous().expect(200).text()).contains("tollgate_");
        ApiClient.Reply doc = t.to("GET", "/openapi.json").anonymous().expect(200);
        assertThat(doc.json())
                .as("GET /openapi.json serves the file of the repository")
                .isEqualTo(Json.parse(Files.readString(Path.of("src/main/resources/openapi.json"))));
        assertThat(h.port()).isPositive();
    }

    private static void catalogBefore(OpenApiTour t) throws IOException {
        ApiClient.Reply empty = t.to("GET", "/v1/catalog").expect(200);
        assertThat(empty.get("version")).isEqualTo(BigDecimal.ZERO);
        String yaml = Files.readString(ApiClient.sampleCatalog());
        Object sample = Trees.yaml(yaml.getBytes(StandardCharsets.UTF_8));
        assertThat(CONTRACT.componentProblems("CatalogDocument", Json.write(sample)))
                .as("examples/catalog.yaml, against the catalog's schema")
                .isEmpty();
        assertThat(t.to("PUT", "/v1/catalog")
                        .raw("application/yaml", yaml)
                        .header("X-Tollgate-Actor", "openapi-it")
                        .expect(200)
                        .get("version"))
                .isEqualTo(BigDecimal.ONE);
        assertThat(t.to("PUT", "/v1/catalog").json(sample).expect(200).get("version"))
                .as("the same catalog as JSON makes no new version")
                .isEqualTo(BigDecimal.ONE);
        ApiClient.Reply invalid = t.to("PUT", "/v1/catalog")
                .json(Map.of("features", List.of(Map.of("key", "q", "type", "metred"))))
                .refusedAt("CATALOG_INVALID", "features[0].type");
        assertThat((List<?>) invalid.get("errors")).isNotEmpty();
        t.to("PUT", "/v1/catalog").raw("application/json", "{\"features\": [").refused(400, "MALFORMED_JSON");
        t.to("GET", "/v1/catalog").expect(200);
        t.to("GET", "/v1/catalog/versions").expect(200);
        t.to("GET", "/v1/catalog/versions").query("limit=0").refusedAt("OUT_OF_RANGE", "limit");
        t.to("GET", "/v1/catalog/versions/{n}/diff").param("n", "1").expect(200);
        t.to("GET", "/v1/catalog/versions/{n}/diff").param("n", "99").refused(404, "CATALOG_VERSION_NOT_FOUND");
    }

    private static void customers(OpenApiTour t) {
        String one = "/v1/customers/{customerId}";
        t.to("PUT", one)
                .param("customerId", "acme")
                .json(Map.of(
                        "name",
                        "Acme",
                        "metadata",
                        Map.of("tier", "gold", "stripeCustomerId", "cus_acme"),
                        "timeZone",
                        "Europe/Paris"))
                .expect(200);
        t.to("PUT", one)
                .param("customerId", "solo")
                .json(Map.of("name", "Solo"))
                .expect(200);
        t.to("PUT", one).param("customerId", "acme").json(Map.of("nom", "x")).refusedAt("UNKNOWN_FIELD", "nom");
        t.to("PUT", one)
                .param("customerId", "acme")
                .json(Map.of("timeZone", "Mars/Olympus"))
                .refusedAt("INVALID_TIME_ZONE", "timeZone");
        t.to("PUT", one).param("customerId", "-bad").json(Map.of()).refusedAt("INVALID_ID", "customerId");
        t.to("GET", one).param("customerId", "acme").expect(200);
        t.to("GET", one).param("customerId", "nobody").refused(404, "CUSTOMER_NOT_FOUND");
        t.to("GET", "/v1/customers").query("limit=1").expect(200);
        t.to("GET", "/v1/customers").query("limit=0").refusedAt("INVALID_QUERY", "limit");
        t.to("GET", "/v1/customers").query("cursor=nope").refusedAt("INVALID_CURSOR", "cursor");

        String sub = "/v1/customers/{customerId}/subscription";
        Map<String, Object> pro = Map.of(
                "plan",
                "pro",
                "addons",
                List.of(Map.of("key", "extra-queries", "quantity", 1)),
                "idempotencyKey",
                "sub-1");
        t.to("PUT", sub).param("customerId", "acme").json(pro).expect(200);
        ApiClient.Reply replay =
                t.to("PUT", sub).param("customerId", "acme").json(pro).expect(200);
        assertThat(replay.headers()).containsKey("idempotent-replay");
        t.to("PUT", sub)
                .param("customerId", "acme")
                .json(Map.of("plan", "free", "idempotencyKey", "sub-1"))
                .refused(409, "IDEMPOTENCY_KEY_REUSED");
        t.to("PUT", sub)
                .param("customerId", "acme")
                .json(Map.of("plan", "gold"))
                .refused(404, "PLAN_NOT_FOUND");
        t.to("PUT", sub)
                .param("customerId", "nobody")
                .json(Map.of("plan", "pro"))
                .refused(404, "CUSTOMER_NOT_FOUND");
        t.to("PUT", sub)
                .param("customerId", "acme")
                .json(Map.of("plan", "pro", "planVersion", 0))
                .refusedAt("INVALID_VERSION", "planVersion");

        String promotions = "/v1/customers/{customerId}/promotions";
        Map<String, Object> promo = Map.of(
                "feature",
                "sso",
                "entitlement",
                Map.of("enabled", true),
                "expiresAt",
                "2026-06-01T00:00:00Z",
                "idempotencyKey",
                "promo-1");
        t.to("POST", promotions).param("customerId", "solo").json(promo).expect(201);
        t.to("POST", promotions).param("customerId", "solo").json(promo).expect(200);
        t.to("POST", promotions)
                .param("customerId", "solo")
                .json(Map.of("feature", "sso"))
                .refusedAt("MISSING_FIELD", "entitlement");
        t.to("POST", promotions)
                .param("customerId", "solo")
                .json(Map.of("feature", "nope", "entitlement", Map.of("enabled", true)))
                .refused(404, "FEATURE_NOT_FOUND");
        readOfACustomer(t, "/v1/customers/{customerId}/entitlements");
        t.to("GET", one).param("customerId", "acme").expect(200);
    }

    private static void requestPath(OpenApiTour t) {
        t.to("POST", "/v1/check")
                .json(Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 2))
                .expect(200);
        t.to("POST", "/v1/check")
                .json(Map.of("customerId", "acme", "feature", "seats"))
                .expect(200);
        t.to("POST", "/v1/check").json(Map.of("customerId", "acme")).refusedAt("MISSING_FIELD", "feature");
        t.to("POST", "/v1/check")
                .json(Map.of("customerId", "acme", "feature", "ai-queries", "quantity", -1))
                .refusedAt("INVALID_QUANTITY", "quantity");
        ApiClient.Reply unknown = t.to("POST", "/v1/check")
                .json(Map.of("customerId", "nobody", "feature", "ai-queries"))
                .refused(404, "CUSTOMER_NOT_FOUND");
        assertThat(unknown.get("allowed")).isEqualTo(false);

        Map<String, Object> consume =
                Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 3, "idempotencyKey", "c-1");
        assertThat(t.to("POST", "/v1/consume").json(consume).expect(200).get("recorded"))
                .isEqualTo(true);
        assertThat(t.to("POST", "/v1/consume").json(consume).expect(200).headers())
                .containsKey("idempotent-replay");
        t.to("POST", "/v1/consume")
                .header("Idempotency-Key", "tok-1")
                .json(Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "llm-tokens",
                        "quantity",
                        2000,
                        "dimensions",
                        Map.of("model", "gpt-4o")))
                .expect(200);
        t.to("POST", "/v1/consume")
                .json(Map.of("customerId", "acme", "feature", "ai-queries"))
                .refusedAt("MISSING_IDEMPOTENCY_KEY", "idempotencyKey");
        t.to("POST", "/v1/consume")
                .json(Map.of("customerId", "acme", "feature", "ai-queries", "quantity", 4, "idempotencyKey", "c-1"))
                .refused(409, "IDEMPOTENCY_KEY_REUSED");
        t.to("POST", "/v1/consume")
                .json(Map.of("customerId", "acme", "feature", "nope", "idempotencyKey", "c-2"))
                .refused(404, "FEATURE_NOT_FOUND");

        Map<String, Object> event =
                Map.of("idempotencyKey", "e-1", "customerId", "acme", "feature", "ai-queries", "quantity", 2);
        ApiClient.Reply events = t.to("POST", "/v1/events")
                .json(Map.of("events", List.of(event, event)))
                .expect(200);
        assertThat(events.body()).containsEntry("accepted", BigDecimal.ONE).containsEntry("duplicates", BigDecimal.ONE);
        ApiClient.Reply rejected = t.to("POST", "/v1/events")
                .raw(
                        "application/json",
                        "{\"events\": [{\"idempotencyKey\": \"e-2\", \"customerId\": \"acme\", \"feature\":"
                                + " \"ai-queries\"}]}")
                .invalidOnPurpose()
                .expect(200);
        assertThat(rejected.body()).containsEntry("rejected", BigDecimal.ONE);
        t.to("POST", "/v1/events").json(Map.of()).refusedAt("MISSING_FIELD", "events");
    }

    private static void credits(OpenApiTour t) {
        String grants = "/v1/customers/{customerId}/grants";
        Map<String, Object> grant = Map.of(
                "currency",
                "credits",
                "amount",
                50,
                "category",
                "paid",
                "costBasis",
                new BigDecimal("0.01"),
                "idempotencyKey",
                "g-1");
        String grantId = (String) t.to("POST", grants)
                .param("customerId", "acme")
                .json(grant)
                .expect(201)
                .get("id");
        t.to("POST", grants).param("customerId", "acme").json(grant).expect(200);
        t.to("POST", grants)
                .param("customerId", "acme")
                .json(Map.of("currency", "credits", "amount", 5, "category", "gift", "idempotencyKey", "g-2"))
                .refusedAt("INVALID_CATEGORY", "category");
        t.to("POST", grants)
                .param("customerId", "acme")
                .json(Map.of("currency", "gold", "amount", 5, "category", "paid", "idempotencyKey", "g-3"))
                .refused(404, "CURRENCY_NOT_FOUND");
        t.to("GET", grants)
                .param("customerId", "acme")
                .query("currency=credits&active=true")
                .expect(200);
        t.to("GET", grants).param("customerId", "acme").query("active=maybe").refusedAt("INVALID_QUERY", "active");
        String voidGrant = "/v1/customers/{customerId}/grants/{grantId}/void";
        t.to("POST", voidGrant)
                .param("customerId", "acme")
                .param("grantId", grantId)
                .expect(200);
        t.to("POST", voidGrant)
                .param("customerId", "acme")
                .param("grantId", "g-none")
                .refused(404, "GRANT_NOT_FOUND");
        readOfACustomer(t, "/v1/customers/{customerId}/balance");

        String ledger = "/v1/customers/{customerId}/ledger";
        assertThat(t.to("GET", ledger)
                        .param("customerId", "acme")
                        .query("limit=1")
                        .expect(200)
                        .get("nextCursor"))
                .isNotNull();
        t.to("GET", ledger).param("customerId", "acme").query("cursor=nope").refusedAt("INVALID_CURSOR", "cursor");
        String export = "/v1/customers/{customerId}/ledger/export";
        assertThat(t.to("GET", export).param("customerId", "acme").expect(200).text())
                .startsWith("seq,time,type");
        t.to("GET", export).param("customerId", "acme").query("format=json").expect(200);
        t.to("GET", export).param("customerId", "acme").query("format=xml").refusedAt("INVALID_QUERY", "format");

        String refunds = "/v1/customers/{customerId}/refunds";
        t.to("POST", refunds)
                .param("customerId", "acme")
                .json(Map.of("idempotencyKey", "tok-1"))
                .expect(201);
        t.to("POST", refunds)
                .param("customerId", "acme")
                .json(Map.of("idempotencyKey", "tok-1"))
                .expect(200);
        t.to("POST", refunds)
                .param("customerId", "acme")
                .json(Map.of("idempotencyKey", "never-used"))
                .refused(404, "CONSUMPTION_NOT_FOUND");

        String recharge = "/v1/customers/{customerId}/auto-recharge";
        t.to("PUT", recharge)
                .param("customerId", "acme")
                .json(Map.of(
                        "currency",
                        "credits",
                        "threshold",
                        10,
                        "amount",
                        100,
                        "costBasis",
                        new BigDecimal("0.01"),
                        "maxPerPeriod",
                        3))
                .expect(200);
        t.to("PUT", recharge)
                .param("customerId", "acme")
                .json(Map.of("currency", "credits", "threshold", 10, "target", 5, "amount", 100))
                .refusedAt("INVALID_AUTO_RECHARGE", "target");
    }

    private static void governance(OpenApiTour t) {
        String scope = "/v1/customers/{customerId}/scopes/{scopeId}";
        t.to("PUT", scope)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .json(Map.of("kind", "department", "name", "Engineering"))
                .expect(200);
        t.to("PUT", scope)
                .param("customerId", "acme")
                .param("scopeId", "platform")
                .json(Map.of("kind", "team", "parent", "eng"))
                .expect(200);
        t.to("PUT", scope)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .json(Map.of("parent", "platform"))
                .refused(409, "SCOPE_CYCLE");
        t.to("PUT", scope)
                .param("customerId", "acme")
                .param("scopeId", "ops")
                .json(Map.of("parent", "nowhere"))
                .refused(404, "SCOPE_NOT_FOUND");
        readOfACustomer(t, "/v1/customers/{customerId}/scopes");

        String budget = "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}";
        t.to("PUT", budget)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "monthly")
                .json(Map.of("feature", "ai-queries", "limit", 100, "alerts", List.of(new BigDecimal("0.5"), 1)))
                .expect(200);
        t.to("PUT", budget)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "tokens")
                .json(Map.of(
                        "currency",
                        "credits",
                        "limit",
                        200,
                        "enforcement",
                        "soft",
                        "dimensions",
                        Map.of("model", "gpt-4o")))
                .expect(200);
        t.to("PUT", budget)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "both")
                .json(Map.of("feature", "ai-queries", "currency", "credits", "limit", 1))
                .refusedAt("INVALID_BUDGET", "currency");
        t.to("PUT", budget)
                .param("customerId", "acme")
                .param("scopeId", "nowhere")
                .param("budgetKey", "b")
                .json(Map.of("feature", "ai-queries", "limit", 1))
                .refused(404, "SCOPE_NOT_FOUND");
        t.to("POST", "/v1/consume")
                .json(Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "ai-queries",
                        "scope",
                        "platform",
                        "idempotencyKey",
                        "c-scoped"))
                .expect(200);

        String usage = "/v1/customers/{customerId}/usage";
        t.to("GET", usage)
                .param("customerId", "acme")
                .query("groupBy=scope,feature,dimension.model")
                .expect(200);
        t.to("GET", usage)
                .param("customerId", "acme")
                .query("groupBy=scope&depth=1&scope=eng")
                .expect(200);
        List<Map<String, Object>> byDay = rows(t.to("GET", usage)
                .param("customerId", "acme")
                .query("groupBy=day,hour,feature")
                .expect(200));
        assertThat(byDay).isNotEmpty().allSatisfy(r -> assertThat(r).containsKeys("day", "hour", "feature"));
        t.to("GET", usage).param("customerId", "acme").query("groupBy=week").refusedAt("INVALID_GROUP_BY", "groupBy");
        t.to("GET", usage).param("customerId", "acme").query("depth=1").refusedAt("INVALID_QUERY", "depth");
        t.to("GET", usage).param("customerId", "acme").query("scope=nowhere").refused(404, "SCOPE_NOT_FOUND");
        String usageExport = "/v1/customers/{customerId}/usage/export";
        t.to("GET", usageExport).param("customerId", "acme").expect(200);
        t.to("GET", usageExport)
                .param("customerId", "acme")
                .query("format=json")
                .expect(200);
        t.to("GET", usageExport)
                .param("customerId", "acme")
                .query("from=yesterday")
                .refusedAt("INVALID_QUERY", "from");

        Map<String, Object> session = Map.of(
                "customerId", "acme", "feature", "agent-runs", "amount", 5, "ttlSeconds", 60, "idempotencyKey", "s-1");
        String sessionId =
                (String) t.to("POST", "/v1/sessions").json(session).expect(201).get("sessionId");
        assertThat(t.to("POST", "/v1/sessions").json(session).expect(200).get("opened"))
                .isEqualTo(true);
        assertThat(t.to("POST", "/v1/sessions")
                        .json(Map.of(
                                "customerId",
                                "acme",
                                "feature",
                                "agent-runs",
                                "amount",
                                500,
                                "ttlSeconds",
                                60,
                                "idempotencyKey",
                                "s-2"))
                        .expect(200)
                        .get("opened"))
                .isEqualTo(false);
        t.to("POST", "/v1/sessions")
                .json(Map.of(
                        "customerId",
                        "acme",
                        "currency",
                        "credits",
                        "amount",
                        10,
                        "ttlSeconds",
                        60,
                        "quote",
                        false,
                        "idempotencyKey",
                        "s-3"))
                .expect(201);
        t.to("POST", "/v1/sessions")
                .json(Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "agent-runs",
                        "currency",
                        "credits",
                        "amount",
                        1,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "s-4"))
                .refusedAt("INVALID_SESSION", "currency");
        t.to("POST", "/v1/sessions")
                .json(Map.of(
                        "customerId",
                        "nobody",
                        "feature",
                        "agent-runs",
                        "amount",
                        1,
                        "ttlSeconds",
                        60,
                        "idempotencyKey",
                        "s-5"))
                .refused(404, "CUSTOMER_NOT_FOUND");

        String one = "/v1/sessions/{sessionId}";
        t.to("GET", one).param("sessionId", sessionId).expect(200);
        String running = "/v1/customers/{customerId}/sessions";
        assertThat((List<?>) t.to("GET", running)
                        .param("customerId", "acme")
                        .expect(200)
                        .get("sessions"))
                .isNotEmpty();
        t.to("GET", running).param("customerId", "nobody").refused(404, "CUSTOMER_NOT_FOUND");
        t.to("GET", running).param("customerId", "-bad").refusedAt("INVALID_ID", "customerId");
        t.to("GET", one).param("sessionId", "acme@s999").refused(404, "SESSION_NOT_FOUND");
        t.to("POST", "/v1/consume")
                .json(Map.of(
                        "customerId", "acme", "feature", "agent-runs", "sessionId", sessionId, "idempotencyKey", "c-s"))
                .expect(200);
        t.to("POST", one + "/heartbeat")
                .param("sessionId", sessionId)
                .json(Map.of("ttlSeconds", 120))
                .expect(200);
        t.to("POST", one + "/heartbeat")
                .param("sessionId", sessionId)
                .json(Map.of("ttlSeconds", 0))
                .refusedAt("OUT_OF_RANGE", "ttlSeconds");
        Supplier<ApiClient.Reply> close = () -> t.to("POST", one + "/close")
                .param("sessionId", sessionId)
                .json(Map.of("used", 2))
                .expect(200);
        Map<String, Object> closed = close.get().body();
        assertThat(close.get().body())
                .as("closing again answers the first close")
                .isEqualTo(closed);
        t.to("POST", one + "/heartbeat")
                .param("sessionId", sessionId)
                .json(Map.of("ttlSeconds", 60))
                .refused(409, "SESSION_CLOSED");
        t.to("POST", "/v1/check")
                .json(Map.of("customerId", "acme", "feature", "agent-runs", "sessionId", sessionId))
                .refused(409, "SESSION_CLOSED");
    }

    private static void alerts(OpenApiTour t, WebhookReceiver receiver) {
        String one = "/v1/webhooks/{webhookId}";
        t.to("PUT", one)
                .param("webhookId", "ops")
                .json(Map.of(
                        "url", receiver.url(), "events", List.of("budget.threshold"), "secret", "0123456789abcdef"))
                .expect(200);
        t.to("PUT", one)
                .param("webhookId", "ops")
                .json(Map.of("url", receiver.url(), "secret", "short"))
                .refusedAt("INVALID_SECRET", "secret");
        t.to("PUT", one)
                .param("webhookId", "ops")
                .json(Map.of("url", "ftp://example.com", "secret", "0123456789abcdef"))
                .refusedAt("INVALID_URL", "url");
        t.to("GET", "/v1/webhooks").expect(200);
        t.to("GET", "/v1/webhooks").query("limit=5000").refusedAt("INVALID_QUERY", "limit");
        t.to("GET", one).param("webhookId", "ops").expect(200);
        t.to("GET", one).param("webhookId", "nope").refused(404, "WEBHOOK_NOT_FOUND");
        t.to("DELETE", one).param("webhookId", "ops").expect(200);
        t.to("DELETE", one).param("webhookId", "ops").refused(404, "WEBHOOK_NOT_FOUND");
        t.to("PUT", one)
                .param("webhookId", "live")
                .json(Map.of(
                        "url", receiver.url(), "events", List.of("budget.threshold"), "secret", "0123456789abcdef"))
                .expect(200);
        for (int i = 0; i < 60; i++) { // the budget of 100 passes half: a budget.threshold alert
            t.to("POST", "/v1/consume")
                    .json(Map.of(
                            "customerId", "acme", "feature", "ai-queries", "scope", "eng", "idempotencyKey", "b-" + i))
                    .expect(200);
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(events(t.to("GET", "/v1/events/log")
                                .query("customerId=acme")
                                .expect(200)))
                        .as("the budget's alert tells where its delivery to the webhook stands")
                        .anyMatch(e -> !((List<?>) e.get("deliveries")).isEmpty()));
        t.to("GET", "/v1/events/log").query("limit=abc").refusedAt("INVALID_QUERY", "limit");
    }

    @SuppressWarnings("unchecked")
    private static void changeFeed(OpenApiTour t, Harness h) throws InterruptedException {
        try (EventStream stream = EventStream.open(h.port(), "/v1/stream?customers=acme,solo", null)) {
            Map<String, List<String>> headers = stream.response().headers().map();
            String type = stream.response().headers().firstValue("content-type").orElseThrow();
            List<String> found =
                    new ArrayList<>(CONTRACT.answerProblems("GET", "/v1/stream", 200, type, headers, "data"));
            for (int i = 0; i < 2; i++) {
                EventStream.Event e = stream.next();
                assertThat(e.type()).isEqualTo("state");
                found.addAll(CONTRACT.componentProblems("StreamState", Json.write(e.data())));
            }
            t.answered("GET /v1/stream", 200, found);
        }
        t.to("GET", "/v1/stream").query("since=abc").refusedAt("INVALID_FIELD", "since");
        t.to("GET", "/v1/stream").query("customers=,").refusedAt("INVALID_FIELD", "customers");
    }

    @SuppressWarnings("unchecked")
    private static void catalogAfter(OpenApiTour t) {
        Map<String, Object> sample =
                (Map<String, Object>) Trees.yaml(readSample().getBytes(StandardCharsets.UTF_8));
        Map<String, Object> more = new LinkedHashMap<>(sample);
        List<Object> features = new ArrayList<>((List<Object>) sample.get("features"));
        features.add(Map.of("key", "exports", "type", "boolean"));
        more.put("features", features);
        more.put("plans", withOverage((List<Map<String, Object>>) sample.get("plans")));
        more.put(
                "costs",
                List.of(
                        Map.of(
                                "feature",
                                "llm-tokens",
                                "currency",
                                "USD",
                                "per",
                                1000,
                                "byDimension",
                                Map.of("model", Map.of("gpt-4o", new BigDecimal("0.02")))),
                        Map.of("feature", "ai-queries", "currency", "USD", "amount", new BigDecimal("0.01"))));
        assertThat(t.to("PUT", "/v1/catalog").json(more).expect(200).get("version"))
                .isEqualTo(new BigDecimal(2));
        assertThat(t.to("GET", "/v1/catalog").expect(200).text()).contains("\"costs\"", "\"overage\"");
        ApiClient.Reply diff =
                t.to("GET", "/v1/catalog/versions/{n}/diff").param("n", "2").expect(200);
        assertThat(diff.text()).contains("price.overage.ai-queries.amount");
        t.to("POST", "/v1/consume")
                .json(Map.of(
                        "customerId",
                        "acme",
                        "feature",
                        "llm-tokens",
                        "quantity",
                        1000,
                        "dimensions",
                        Map.of("model", "gpt-4o"),
                        "idempotencyKey",
                        "c-costed"))
                .expect(200);
        t.to("POST", "/v1/catalog/rollback").json(Map.of("version", 1)).expect(200);
        t.to("POST", "/v1/catalog/rollback").json(Map.of("version", 99)).refused(404, "CATALOG_VERSION_NOT_FOUND");
        t.to("POST", "/v1/catalog/rollback").json(Map.of("version", "one")).refusedAt("INVALID_TYPE", "version");
        Map<String, Object> withoutPro = new LinkedHashMap<>(sample);
        withoutPro.put(
                "plans",
                ((List<Map<String, Object>>) sample.get("plans"))
                        .stream().filter(p -> p.get("key").equals("free")).toList());
        t.to("PUT", "/v1/catalog").json(withoutPro).refused(409, "CATALOG_IN_USE");
        t.to("GET", "/v1/catalog/versions").query("limit=2").expect(200);
    }

    /** {@code plans} with pro pricing its {@code ai-queries} overage. */
    private static List<Map<String, Object>> withOverage(List<Map<String, Object>> plans) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> plan : plans) {
            Map<String, Object> p = new LinkedHashMap<>(plan);
            if (p.get("key").equals("pro")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> price = new LinkedHashMap<>((Map<String, Object>) p.get("price"));
                price.put("overage", Map.of("ai-queries", Map.of("amount", new BigDecimal("0.05"))));
                p.put("price", price);
            }
            out.add(p);
        }
        return out;
    }

    private static void cancellation(OpenApiTour t) {
        String sub = "/v1/customers/{customerId}/subscription";
        t.to("DELETE", sub).param("customerId", "acme").query("at=later").refusedAt("INVALID_QUERY", "at");
        t.to("DELETE", sub).param("customerId", "acme").query("at=period-end").expect(200);
        t.to("DELETE", sub).param("customerId", "solo").refused(409, "NO_SUBSCRIPTION");
        t.to("DELETE", sub).param("customerId", "nobody").refused(404, "CUSTOMER_NOT_FOUND");
        t.to("GET", "/v1/customers").query("plan=pro").expect(200);
    }

    private static void notACluster(OpenApiTour t) {
        t.to("GET", "/v1/cluster").refused(404, "ROUTE_NOT_FOUND");
        t.to("POST", "/v1/cluster/follow")
                .header("X-Tollgate-Forwarded-By", "n2")
                .refused(404, "ROUTE_NOT_FOUND");
    }

    /** Every operation under {@code /v1}, any parameters, without a key: 401, before routing. */
    private static void unauthenticated(OpenApiTour t) {
        for (String op : CONTRACT.operations()) {
            String[] parts = op.split(" ", 2);
            if (!parts[1].startsWith("/v1")) {
                continue;
            }
            OpenApiTour.Call call = t.to(parts[0], parts[1]).anonymous();
            for (String name : PATH_PARAMETERS) {
                call.param(name, "x");
            }
            call.refused(401, "UNAUTHENTICATED");
        }
    }

    @Test
    void a_node_of_a_cluster_answers_its_cluster_endpoints_as_described(@TempDir Path dir) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (PostgresTestSchema schema = PostgresTestSchema.create();
                TollgateServer server = TollgateServer.start(
                        ServerConfig.builder()
                                .port(port)
                                .dataDir(dir)
                                .store("postgres")
                                .postgresUrl(schema.url())
                                .apiKey(ApiClient.KEY)
                                .nodeId("n1")
                                .advertiseUrl("http://127.0.0.1:" + port)
                                .leaseSeconds(3)
                                .build(),
                        InstantSource.system())) {
            OpenApiTour t = new OpenApiTour(CONTRACT, server::port);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    t.to("GET", "/v1/cluster").expect(200).get("serving"))
                            .isEqualTo(true));
            NodeProof proofs = NodeProof.under(ApiKeys.load(ApiClient.KEY, dir, created -> {}));
            assertThat(t.to("POST", "/v1/cluster/follow")
                            .header(NodeProof.FORWARDED_BY, "n2")
                            .header(NodeProof.PROOF, proofs.of("n2"))
                            .expect(200)
                            .get("catalogVersion"))
                    .isEqualTo(BigDecimal.ZERO);
            t.to("POST", "/v1/cluster/follow").refused(404, "ROUTE_NOT_FOUND");
            t.to("POST", "/v1/cluster/follow")
                    .header(NodeProof.FORWARDED_BY, "n2")
                    .refused(403, "NODE_PROOF_INVALID"); // a client's mark without the node's proof
            t.to("GET", "/v1/cluster").anonymous().refused(401, "UNAUTHENTICATED");

            assertThat(t.problems()).as("what the description gets wrong").isEmpty();
            assertThat(t.withoutSuccess(new LinkedHashSet<>(ClusterRouter.ROUTES)))
                    .isEmpty();
        }
    }

    /** A read of acme answers, of a customer that does not exist {@code 404 CUSTOMER_NOT_FOUND}. */
    private static void readOfACustomer(OpenApiTour t, String template) {
        t.to("GET", template).param("customerId", "acme").expect(200);
        t.to("GET", template).param("customerId", "nobody").refused(404, "CUSTOMER_NOT_FOUND");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(ApiClient.Reply usage) {
        return (List<Map<String, Object>>) usage.get("rows");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> events(ApiClient.Reply log) {
        return (List<Map<String, Object>>) log.get("events");
    }

    private static String readSample() {
        try {
            return Files.readString(ApiClient.sampleCatalog());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
