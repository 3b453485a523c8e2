package dev.tollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.auth.ApiKeys;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.auth.Restrictions;
import dev.tollgate.server.cluster.ClusterRouter;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.metrics.Metrics;
import dev.tollgate.server.webhook.WebhookAddresses;
import dev.tollgate.testkit.memory.MemoryStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI description ({@code tollgate-server/src/main/resources/openapi.json}) names exactly the routes the server
 * has: every route of the API's table ({@link HttpApi}, all {@code *Routes} families) and of the cluster's router
 * ({@link ClusterRouter#ROUTES}), no more, no fewer, except the static (non-API) routes the description lists under
 * {@code x-tollgate-static-routes}. A route added without a description fails here with what to add.
 */
final class OpenApiRoutesTest {
    private static final String HOW = "\n\nHow to fix: describe each missing route in"
            + " tollgate-server/src/main/resources/openapi.json under \"paths\" -> \"<path template exactly as"
            + " registered>\" -> \"<method in lower case>\": operationId, tags, summary, description, parameters"
            + " (path, query, headers such as Idempotency-Key), requestBody (its JSON schema, additionalProperties false"
            + " where the server refuses unknown fields), and one response per status it can answer (the error codes of"
            + " each as an enum, copying an existing operation's shape; 401/500/503/504 by $ref to"
            + " #/components/responses/...). Then drive it in OpenApiIT (a success and its main refusals), which"
            + " validates the real answers against it. A route that serves files, not the API (console pages, assets),"
            + " goes in \"x-tollgate-static-routes\".\"routes\" as \"METHOD /path\" instead. See docs/api.md, OpenAPI.";

    private Engine engine;

    @BeforeEach
    void start() {
        engine = Engine.start(MemoryStore.create(), InstantSource.fixed(Instant.parse("2026-03-01T00:00:00Z")), null);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void the_description_names_every_route_and_nothing_else(@TempDir Path dir) {
        MemoryStore store = MemoryStore.create();
        HttpApi api = new HttpApi(
                engine,
                new Keyring(
                        ApiKeys.load("tg_sk_test_secret_0123456789abcdef", dir, key -> {}),
                        store.credentials(),
                        InstantSource.system()),
                new Metrics(),
                Runnable::run,
                WebhookAddresses.PUBLIC,
                new ChangeFeed(InstantSource.system()),
                null);
        Set<String> routes = new LinkedHashSet<>();
        for (RouteTable.Route r : api.routes().routes()) {
            routes.add(r.method() + " " + r.path());
        }
        routes.addAll(ClusterRouter.ROUTES);
        Map<String, Object> document = OpenApiDocument.read();
        Set<String> described = described(document);
        Set<String> statics = statics(document);

        List<String> undescribed = new ArrayList<>();
        for (String r : routes) {
            if (!described.contains(r) && !statics.contains(r)) {
                undescribed.add(r);
            }
        }
        List<String> gone = new ArrayList<>();
        for (String d : described) {
            if (!routes.contains(d)) {
                gone.add(d);
            }
        }
        List<String> staleStatics = new ArrayList<>(statics);
        staleStatics.removeAll(routes);

        assertThat(undescribed)
                .as("routes the server has that openapi.json does not describe: %s%s", undescribed, HOW)
                .isEmpty();
        assertThat(gone)
                .as(
                        "operations openapi.json describes that the server has no route for (remove them, or fix the"
                                + " path template to the one registered): %s",
                        gone)
                .isEmpty();
        assertThat(staleStatics)
                .as("x-tollgate-static-routes lists routes the server does not have: %s", staleStatics)
                .isEmpty();
    }

    /**
     * The description's security schemes say what {@code auth/Restrictions} lets each credential call: the {@code
     * portalToken} scheme on exactly the portal's routes, the publishable key on exactly its one read.
     */
    @Test
    void the_description_gives_restricted_credentials_exactly_the_routes_they_may_call() {
        Map<String, Object> document = OpenApiDocument.read();
        assertThat(securedBy(document, "portalToken"))
                .as("operations with the portalToken scheme in openapi.json, against Restrictions.portalRoutes()")
                .containsExactlyInAnyOrderElementsOf(Restrictions.portalRoutes());
        assertThat(securedBy(document, "publishableKey")).containsExactly("GET " + Restrictions.PUBLIC_ENTITLEMENTS);
    }

    @SuppressWarnings("unchecked")
    private static Set<String> securedBy(Map<String, Object> document, String scheme) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((method, op) -> {
            Object security = ((Map<String, Object>) op).get("security");
            if (security instanceof List<?> requirements
                    && requirements.stream().anyMatch(r -> r instanceof Map<?, ?> m && m.containsKey(scheme))) {
                out.add(method.toUpperCase(Locale.ROOT) + " " + path);
            }
        }));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> described(Map<String, Object> document) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        paths.forEach((path, item) -> ((Map<String, Object>) item)
                .keySet()
                .forEach(method -> out.add(method.toUpperCase(Locale.ROOT) + " " + path)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> statics(Map<String, Object> document) {
        Map<String, Object> statics = (Map<String, Object>) document.get("x-tollgate-static-routes");
        return new LinkedHashSet<>((List<String>) statics.get("routes"));
    }
}
