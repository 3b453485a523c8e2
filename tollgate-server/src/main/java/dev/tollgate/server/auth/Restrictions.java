package dev.tollgate.server.auth;

import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a restricted caller (a publishable key, a portal token) may call: an allow-list of routes by method and
 * template, so that a route added later is refused to them until it is listed here. Decided from the route and the
 * request alone, on whichever server receives the request, before it is forwarded or read further; what needs the
 * customer's state (a scope's subtree) is decided where the customer is served ({@code api/PortalAccess}).
 *
 * <p>A publishable key: {@code GET} {@value #PUBLIC_ENTITLEMENTS} only, with the customer's token ({@link
 * CustomerTokens}) in {@code X-Customer-Token}. A portal token: the routes of {@link #PORTAL}, each for its own customer
 * only (the {@code customerId} of the path, or of the query for the alert log), some with a permission, and those that
 * show the whole customer (entitlements, balance, grants, ledger, exports) only without a scope.
 *
 * <p>Thread-safe: stateless.
 */
public final class Restrictions {
    /** The one route of a publishable key. */
    public static final String PUBLIC_ENTITLEMENTS = "/v1/public/customers/{customerId}/entitlements";

    /** Who a portal token is. */
    public static final String PORTAL_SESSION = "/v1/portal/session";

    public static final String CUSTOMER = "/v1/customers/{customerId}";
    public static final String ENTITLEMENTS = "/v1/customers/{customerId}/entitlements";
    public static final String BALANCE = "/v1/customers/{customerId}/balance";
    public static final String GRANTS = "/v1/customers/{customerId}/grants";
    public static final String LEDGER = "/v1/customers/{customerId}/ledger";
    public static final String LEDGER_EXPORT = "/v1/customers/{customerId}/ledger/export";
    public static final String SCOPES = "/v1/customers/{customerId}/scopes";
    public static final String USAGE = "/v1/customers/{customerId}/usage";
    public static final String USAGE_EXPORT = "/v1/customers/{customerId}/usage/export";
    public static final String SESSIONS = "/v1/customers/{customerId}/sessions";
    public static final String BUDGET = "/v1/customers/{customerId}/scopes/{scopeId}/budgets/{budgetKey}";
    public static final String EVENT_LOG = "/v1/events/log";

    /** Where a route names its customer. */
    private enum CustomerIn {
        /** Nowhere: the route is the session's own. */
        SESSION,
        /** The path's {@code customerId}. */
        PATH,
        /** The query's {@code customerId}, required. */
        QUERY
    }

    /**
     * A route a portal token may call.
     *
     * @param customerIn where the route names its customer
     * @param wholeCustomer whether it shows the whole customer, so that a token with a scope may not call it
     * @param permissions the token needs one of these ({@code read}: every token has it)
     */
    private record PortalRoute(CustomerIn customerIn, boolean wholeCustomer, List<String> permissions) {}

    private static final List<String> READ = List.of(Caller.Portal.READ);

    /** Every route a portal token may call, by {@code "METHOD template"}. */
    private static final Map<String, PortalRoute> PORTAL = Map.ofEntries(
            Map.entry("GET " + PORTAL_SESSION, new PortalRoute(CustomerIn.SESSION, false, READ)),
            Map.entry("DELETE " + PORTAL_SESSION, new PortalRoute(CustomerIn.SESSION, false, READ)),
            Map.entry("GET " + CUSTOMER, new PortalRoute(CustomerIn.PATH, false, READ)),
            Map.entry("GET " + ENTITLEMENTS, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + BALANCE, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + GRANTS, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + LEDGER, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + LEDGER_EXPORT, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + USAGE_EXPORT, new PortalRoute(CustomerIn.PATH, true, READ)),
            Map.entry("GET " + SCOPES, new PortalRoute(CustomerIn.PATH, false, READ)),
            Map.entry("GET " + USAGE, new PortalRoute(CustomerIn.PATH, false, READ)),
            Map.entry("GET " + SESSIONS, new PortalRoute(CustomerIn.PATH, false, READ)),
            Map.entry("GET " + EVENT_LOG, new PortalRoute(CustomerIn.QUERY, false, READ)),
            Map.entry(
                    "PUT " + BUDGET,
                    new PortalRoute(CustomerIn.PATH, false, List.of(Caller.Portal.BUDGETS, Caller.Portal.ALERTS))));

    private Restrictions() {}

    /**
     * Every route a portal token may call, as {@code "METHOD template"} (the OpenAPI description lists the same ones
     * under its {@code portalToken} security scheme).
     */
    public static Set<String> portalRoutes() {
        return PORTAL.keySet();
    }

    /**
     * Refuses a restricted caller a route it may not call.
     *
     * @param caller the caller, not an operator
     * @param method the request's method
     * @param template the matched route's template
     * @param request the request, with its path parameters set
     * @throws ApiException {@code 403 FORBIDDEN} (never this route, or another customer), {@code 403
     *     PERMISSION_REQUIRED} (a portal token without the permission), {@code 401 INVALID_CUSTOMER_TOKEN} (a
     *     publishable key without its customer's token), {@code 400} for a malformed customer id
     */
    static void check(Caller caller, String method, String template, ApiRequest request) {
        if (caller instanceof Caller.Publishable p) {
            if (!method.equals("GET") || !template.equals(PUBLIC_ENTITLEMENTS)) {
                throw forbidden("a publishable key may only GET " + PUBLIC_ENTITLEMENTS + " (read one customer)", null);
            }
            String customerId = request.pathParam("customerId");
            if (!p.tokens().matches(customerId, request.header("X-Customer-Token"))) {
                throw new ApiException(
                        401,
                        "INVALID_CUSTOMER_TOKEN",
                        "X-Customer-Token must be the hex HMAC-SHA256 of the customer id under the publishable key's"
                                + " signing secret (docs/security.md)",
                        "X-Customer-Token");
            }
            return;
        }
        if (caller instanceof Caller.Portal p) {
            PortalRoute route = PORTAL.get(method + " " + template);
            if (route == null) {
                throw forbidden("a portal token may not call " + method + " " + template, null);
            }
            String customerId = switch (route.customerIn()) {
                case SESSION -> p.customerId();
                case PATH -> request.pathParam("customerId");
                case QUERY -> request.queryParam("customerId");
            };
            if (!p.customerId().equals(customerId)) {
                throw forbidden("a portal token sees only customer '" + p.customerId() + "'", "customerId");
            }
            if (route.wholeCustomer() && p.scope() != null) {
                throw forbidden(
                        "a portal token of scope '" + p.scope() + "' sees only that scope's subtree, not " + template,
                        "scope");
            }
            if (route.permissions().stream().noneMatch(p::may)) {
                throw new ApiException(
                        403,
                        "PERMISSION_REQUIRED",
                        "this portal token needs the permission " + String.join(" or ", route.permissions()),
                        "permissions");
            }
            return;
        }
        throw forbidden("this credential may not call " + method + " " + template, null);
    }

    static ApiException forbidden(String message, @Nullable String field) {
        return new ApiException(403, "FORBIDDEN", message, field);
    }
}
