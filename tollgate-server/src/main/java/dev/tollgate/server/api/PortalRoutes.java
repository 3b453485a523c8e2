package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.pathId;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.CustomerView;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.store.StoredPortalSession;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.auth.Restrictions;
import dev.tollgate.server.auth.Secrets;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Portal sessions: {@code POST /v1/portal-sessions} (an operator makes a link for one customer's admin), {@code DELETE
 * /v1/portal-sessions/{sessionId}} (an operator revokes it), and, with the portal token itself, {@code GET
 * /v1/portal/session} (who the token is: the console starts from it) and {@code DELETE /v1/portal/session} (signing
 * out).
 *
 * <p>Tokens are stored, not signed: a session is a row of the store keeping the token's digest, so it can be revoked
 * at once on every server (the keyring of each reloads before a revocation is answered), and nothing but the store
 * need be shared between servers. The URL carries the token in its fragment ({@code <base>/portal#token=...}), which
 * browsers never send to a server, so it stays out of access logs and {@code Referer} headers.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class PortalRoutes {
    /** A session's lifetime when the request gives none: one hour. */
    static final long DEFAULT_TTL_SECONDS = 3600;

    /** The shortest lifetime: a minute. */
    static final long MIN_TTL_SECONDS = 60;

    /** The longest lifetime: seven days. */
    static final long MAX_TTL_SECONDS = 7 * 24 * 3600;

    private final Engine engine;
    private final Keyring keyring;
    private final @Nullable String publicUrl;

    /**
     * @param publicUrl where browsers reach this server ({@code TOLLGATE_PUBLIC_URL}, else the advertised URL), or
     *     {@code null} to take it from each request's {@code Host}
     */
    PortalRoutes(Engine engine, Keyring keyring, @Nullable String publicUrl) {
        this.engine = engine;
        this.keyring = keyring;
        this.publicUrl = publicUrl == null ? null : publicUrl.replaceAll("/+$", "");
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("POST", "/v1/portal-sessions", true, RouteTable.Mode.BLOCKING, this::create);
        table.route("DELETE", "/v1/portal-sessions/{sessionId}", true, RouteTable.Mode.BLOCKING, this::revoke);
        table.route("GET", Restrictions.PORTAL_SESSION, true, RouteTable.Mode.BLOCKING, this::whoAmI);
        table.route("DELETE", Restrictions.PORTAL_SESSION, true, RouteTable.Mode.BLOCKING, this::signOut);
    }

    private Reply create(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("customerId", "scope", "ttlSeconds", "permissions");
        String customerId = b.requireId("customerId");
        String scope = b.optId("scope");
        Integer ttl = b.optInt("ttlSeconds", (int) MIN_TTL_SECONDS, (int) MAX_TTL_SECONDS);
        List<String> permissions = new ArrayList<>(List.of(Caller.Portal.READ));
        List<Object> raw = b.optList("permissions", Caller.Portal.PERMISSIONS.size() * 2);
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String p) || !Caller.Portal.PERMISSIONS.contains(p)) {
                throw ApiException.badRequest(
                        "INVALID_PERMISSION",
                        "a permission is one of " + Caller.Portal.PERMISSIONS,
                        "permissions[" + i + "]");
            }
            if (!permissions.contains(p)) {
                permissions.add(p);
            }
        }
        if (engine.customer(customerId).isEmpty()) {
            throw TollgateException.notFound("CUSTOMER_NOT_FOUND", "no customer '" + customerId + "'", "customerId");
        }
        if (scope != null
                && engine.scopes(customerId).stream()
                        .noneMatch(v -> v.scope().id().equals(scope))) {
            throw TollgateException.notFound(
                    "SCOPE_NOT_FOUND", "customer '" + customerId + "' has no scope '" + scope + "'", "scope");
        }
        String token = Secrets.create(Secrets.PORTAL_TOKEN);
        Instant now = keyring.now();
        StoredPortalSession session = new StoredPortalSession(
                Secrets.id("ps_"),
                Secrets.digest(token),
                customerId,
                scope,
                permissions,
                now,
                now.plus(Duration.ofSeconds(ttl == null ? DEFAULT_TTL_SECONDS : ttl)),
                null);
        keyring.add(session);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("url", base(ctx) + "/portal#token=" + token);
        body.putAll(view(session));
        return new Reply(201, body, false);
    }

    private String base(ApiRequest ctx) {
        if (publicUrl != null) {
            return publicUrl;
        }
        String host = ctx.header("Host");
        return "http://" + (host == null || host.isBlank() ? "localhost" : host.trim());
    }

    private Reply revoke(ApiRequest ctx) {
        String id = pathId(ctx, "sessionId");
        StoredPortalSession session = keyring.revokePortalSession(id)
                .orElseThrow(() -> TollgateException.notFound(
                        "PORTAL_SESSION_NOT_FOUND", "no unexpired portal session '" + id + "'", "sessionId"));
        return Reply.ok(view(session));
    }

    private Reply whoAmI(ApiRequest ctx) {
        Caller.Portal portal = portal(ctx);
        Map<String, Object> body = view(portal.session());
        body.put(
                "customerName",
                engine.customer(portal.customerId()).map(CustomerView::name).orElse(null));
        return Reply.ok(body);
    }

    private Reply signOut(ApiRequest ctx) {
        Caller.Portal portal = portal(ctx);
        return Reply.ok(view(keyring.revokePortalSession(portal.session().id()).orElse(portal.session())));
    }

    private static Caller.Portal portal(ApiRequest ctx) {
        if (ctx.caller() instanceof Caller.Portal p) {
            return p;
        }
        throw new ApiException(
                403, "FORBIDDEN", "only a portal token has a portal session; a secret key has none", "Authorization");
    }

    /** A session as answers show it: never the token, never its digest. */
    static Map<String, Object> view(StoredPortalSession s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("customerId", s.customerId());
        m.put("scope", s.scope());
        m.put("permissions", s.permissions());
        m.put("createdAt", s.createdAt().toString());
        m.put("expiresAt", s.expiresAt().toString());
        m.put("revokedAt", s.revokedAt() == null ? null : s.revokedAt().toString());
        return m;
    }
}
