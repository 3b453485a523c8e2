package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.auth.CustomerTokens;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The part of {@link OpenApiIT}'s tour that drives who may call what: keys ({@code /v1/keys}), the publishable key's
 * read with the customer token, portal sessions and what a portal token may and may not do, and every {@code /v1}
 * operation refused to a credential that may not call it ({@code 403 FORBIDDEN}). Each exchange goes through the
 * {@link OpenApiTour}, which checks it against the description.
 *
 * <p>It expects the world {@code OpenApiIT} has built by then: customers {@code acme} (named Acme, on a plan, with
 * scopes {@code eng} and {@code platform} below it, and the budget {@code eng/monthly} on {@code ai-queries}: limit
 * 100, alerts at 0.5 and 1) and {@code solo}.
 */
final class OpenApiAccessSteps {
    /** The route of a publishable key. */
    static final String PUBLIC = "/v1/public/customers/{customerId}/entitlements";

    private static final String SELF = "/v1/portal/session";
    private static final String BUDGET = "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}";

    /** A publishable key made through the API and its signing secret. */
    record Publishable(String key, String signingSecret) {
        /** The customer token of {@code customerId}. */
        String tokenOf(String customerId) {
            return CustomerTokens.token(signingSecret, customerId);
        }
    }

    private OpenApiAccessSteps() {}

    /**
     * Makes keys (a secret one, then revoked; a publishable one, kept), lists them, and the refusals of each route.
     *
     * @return the publishable key, for the steps after
     */
    static Publishable keys(OpenApiTour t) {
        String keys = "/v1/keys";
        ApiClient.Reply secret = t.to("POST", keys)
                .json(Map.of("kind", "secret", "name", "ci job"))
                .expect(201);
        assertThat(secret.body()).containsKey("key").doesNotContainKey("signingSecret");
        ApiClient.Reply made = t.to("POST", keys)
                .json(Map.of("kind", "publishable", "name", "web app"))
                .expect(201);
        Publishable publishable = new Publishable((String) made.get("key"), (String) made.get("signingSecret"));
        t.to("POST", keys).json(Map.of("kind", "admin", "name", "x")).refusedAt("INVALID_KEY_KIND", "kind");
        t.to("POST", keys).json(Map.of("kind", "secret", "name", "  ")).refusedAt("INVALID_NAME", "name");
        t.to("POST", keys).json(Map.of("kind", "secret")).refusedAt("MISSING_FIELD", "name");
        t.to("POST", keys)
                .json(Map.of("kind", "secret", "name", "x", "scopes", List.of()))
                .refusedAt("UNKNOWN_FIELD", "scopes");
        t.to("POST", keys)
                .as(publishable.key())
                .json(Map.of("kind", "secret", "name", "escalate"))
                .refused(403, "FORBIDDEN");

        String secretKey = (String) secret.get("key");
        assertThat(t.to("GET", keys).as(secretKey).expect(200).text())
                .as("a key made through the API works, and no list shows a key")
                .doesNotContain(secretKey, publishable.key(), publishable.signingSecret());
        String one = "/v1/keys/{keyId}";
        ApiClient.Reply revoked =
                t.to("DELETE", one).param("keyId", (String) secret.get("id")).expect(200);
        assertThat(revoked.get("revokedAt")).isNotNull();
        assertThat(t.to("DELETE", one)
                        .param("keyId", (String) secret.get("id"))
                        .expect(200)
                        .body())
                .as("revoking again answers the first revocation")
                .isEqualTo(revoked.body());
        t.to("GET", keys).as(secretKey).refused(401, "CREDENTIAL_REVOKED");
        t.to("DELETE", one).param("keyId", "root").refused(409, "KEY_NOT_REVOCABLE");
        t.to("DELETE", one).param("keyId", "key_none").refused(404, "KEY_NOT_FOUND");
        t.to("DELETE", one).param("keyId", "-bad").refusedAt("INVALID_ID", "keyId");
        return publishable;
    }

    /** The publishable key's one route: with the customer's token, without it, with another's; a secret key. */
    static void publicEntitlements(OpenApiTour t, Publishable p) {
        ApiClient.Reply read = t.to("GET", PUBLIC)
                .param("customerId", "acme")
                .as(p.key())
                .header("X-Customer-Token", p.tokenOf("acme"))
                .expect(200);
        assertThat(read.body()).containsKeys("entitlements", "balances");
        t.to("GET", PUBLIC).param("customerId", "acme").expect(200);
        ApiClient.Reply without =
                t.to("GET", PUBLIC).param("customerId", "acme").as(p.key()).refused(401, "INVALID_CUSTOMER_TOKEN");
        assertThat(without.error()).containsEntry("field", "X-Customer-Token");
        t.to("GET", PUBLIC)
                .param("customerId", "acme")
                .as(p.key())
                .header("X-Customer-Token", p.tokenOf("solo"))
                .refused(401, "INVALID_CUSTOMER_TOKEN");
        t.to("GET", PUBLIC)
                .param("customerId", "nobody")
                .as(p.key())
                .header("X-Customer-Token", p.tokenOf("nobody"))
                .refused(404, "CUSTOMER_NOT_FOUND");
        t.to("GET", PUBLIC).param("customerId", "-bad").refusedAt("INVALID_ID", "customerId");
        t.to("GET", "/v1/customers/{customerId}/entitlements")
                .param("customerId", "acme")
                .as(p.key())
                .header("X-Customer-Token", p.tokenOf("acme"))
                .refused(403, "FORBIDDEN");
    }

    /**
     * Portal sessions: made and refused; a token of scope {@code eng} that may change alerts reads its subtree,
     * changes an alert threshold, is refused the rest and signs out; a read-only token of the whole customer reads and
     * is revoked by the operator.
     *
     * @return a portal token still in force, for the steps after
     */
    static String portal(OpenApiTour t) {
        String sessions = "/v1/portal-sessions";
        String scoped = (String) t.to("POST", sessions)
                .json(Map.of("customerId", "acme", "scope", "eng", "ttlSeconds", 600, "permissions", List.of("alerts")))
                .expect(201)
                .get("token");
        ApiClient.Reply whole =
                t.to("POST", sessions).json(Map.of("customerId", "acme")).expect(201);
        String kept = (String) t.to("POST", sessions)
                .json(Map.of("customerId", "solo", "permissions", List.of("read", "budgets")))
                .expect(201)
                .get("token");
        t.to("POST", sessions)
                .json(Map.of("customerId", "acme", "permissions", List.of("write")))
                .refusedAt("INVALID_PERMISSION", "permissions[0]");
        t.to("POST", sessions)
                .json(Map.of("customerId", "acme", "ttlSeconds", 10))
                .refusedAt("OUT_OF_RANGE", "ttlSeconds");
        t.to("POST", sessions).json(Map.of("scope", "eng")).refusedAt("MISSING_FIELD", "customerId");
        t.to("POST", sessions)
                .json(Map.of("customerId", "acme", "role", "admin"))
                .refusedAt("UNKNOWN_FIELD", "role");
        t.to("POST", sessions).json(Map.of("customerId", "nobody")).refused(404, "CUSTOMER_NOT_FOUND");
        t.to("POST", sessions)
                .json(Map.of("customerId", "acme", "scope", "nowhere"))
                .refused(404, "SCOPE_NOT_FOUND");

        scopedToken(t, scoped);

        String token = (String) whole.get("token");
        t.to("GET", "/v1/customers/{customerId}/entitlements")
                .param("customerId", "acme")
                .as(token)
                .expect(200);
        assertThat(t.to("GET", "/v1/customers/{customerId}/ledger/export")
                        .param("customerId", "acme")
                        .as(token)
                        .expect(200)
                        .text())
                .startsWith("seq,");
        t.to("PUT", BUDGET)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "monthly")
                .as(token)
                .json(Map.of("feature", "ai-queries", "limit", 100))
                .refused(403, "PERMISSION_REQUIRED");
        String one = "/v1/portal-sessions/{sessionId}";
        assertThat(t.to("DELETE", one)
                        .param("sessionId", (String) whole.get("id"))
                        .expect(200)
                        .get("revokedAt"))
                .isNotNull();
        t.to("GET", SELF).as(token).refused(401, "CREDENTIAL_REVOKED");
        t.to("DELETE", one).param("sessionId", "ps_none").refused(404, "PORTAL_SESSION_NOT_FOUND");
        t.to("DELETE", one).param("sessionId", "-bad").refusedAt("INVALID_ID", "sessionId");
        return kept;
    }

    /** A token of scope {@code eng} with the permission {@code alerts}. */
    private static void scopedToken(OpenApiTour t, String token) {
        ApiClient.Reply self = t.to("GET", SELF).as(token).expect(200);
        assertThat(self.body()).containsEntry("customerName", "Acme").containsEntry("scope", "eng");
        t.to("GET", SELF).refused(403, "FORBIDDEN");
        t.to("GET", "/v1/customers/{customerId}")
                .param("customerId", "acme")
                .as(token)
                .expect(200);
        t.to("GET", "/v1/customers/{customerId}/scopes")
                .param("customerId", "acme")
                .as(token)
                .expect(200);
        t.to("GET", "/v1/customers/{customerId}/usage")
                .param("customerId", "acme")
                .query("groupBy=scope")
                .as(token)
                .expect(200);
        t.to("GET", "/v1/events/log").query("customerId=acme").as(token).expect(200);
        t.to("GET", "/v1/events/log").as(token).refused(403, "FORBIDDEN");
        t.to("GET", "/v1/customers/{customerId}/balance")
                .param("customerId", "acme")
                .as(token)
                .refused(403, "FORBIDDEN");
        t.to("GET", "/v1/customers/{customerId}")
                .param("customerId", "solo")
                .as(token)
                .refused(403, "FORBIDDEN");
        t.to("PUT", BUDGET)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "monthly")
                .as(token)
                .json(Map.of(
                        "feature",
                        "ai-queries",
                        "limit",
                        100,
                        "alerts",
                        List.of(new BigDecimal("0.5"), new BigDecimal("0.9"))))
                .expect(200);
        ApiClient.Reply limit = t.to("PUT", BUDGET)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "monthly")
                .as(token)
                .json(Map.of("feature", "ai-queries", "limit", 200))
                .refused(403, "PERMISSION_REQUIRED");
        assertThat(limit.error()).containsEntry("field", "limit");
        t.to("PUT", BUDGET)
                .param("customerId", "acme")
                .param("scopeId", "eng")
                .param("budgetKey", "new")
                .as(token)
                .json(Map.of("feature", "ai-queries", "limit", 5))
                .refused(403, "PERMISSION_REQUIRED");
        assertThat(t.to("DELETE", SELF).as(token).expect(200).get("revokedAt")).isNotNull();
        t.to("GET", SELF).as(token).refused(401, "CREDENTIAL_REVOKED");
    }

    /**
     * Every {@code /v1} operation of the description, any parameters, with a credential that may not call it: a
     * publishable key, or for its own route a portal token. {@code 403 FORBIDDEN}, decided before anything is read.
     */
    static void restricted(OpenApiTour t, OpenApiContract contract, Publishable publishable, String portalToken) {
        for (String op : contract.operations()) {
            String[] parts = op.split(" ", 2);
            if (!parts[1].startsWith("/v1")) {
                continue;
            }
            OpenApiTour.Call call = t.to(parts[0], parts[1]);
            for (String name : OpenApiIT.PATH_PARAMETERS) {
                call.param(name, "x");
            }
            call.as(parts[1].equals(PUBLIC) ? portalToken : publishable.key()).refused(403, "FORBIDDEN");
        }
    }
}
