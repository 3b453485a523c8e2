package dev.tollgate.server.api;

import dev.tollgate.core.api.ScopeView;
import dev.tollgate.core.budget.Budget;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.auth.Restrictions;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What a portal token with a scope may see and change within its customer: that scope's subtree (the scope and every
 * scope below it), decided where the customer is served, from its scopes as they are now. {@code auth/Restrictions}
 * has already let the token's route and customer through.
 *
 * <ul>
 *   <li>{@code GET .../usage}: without {@code scope}, the token's scope (its subtree's usage); with one, it must be in
 *       the subtree;
 *   <li>{@code GET .../scopes}: the tree from the token's scope down;
 *   <li>{@code PUT .../scopes/{scopeId}/budgets/{budgetKey}}: {@code scopeId} in the subtree;
 *   <li>{@code GET /v1/events/log}: the budget alerts of the subtree's scopes only;
 *   <li>{@code GET .../sessions}: the running sessions opened at a scope of the subtree only.
 * </ul>
 *
 * <p>And, for every portal token: one with {@code alerts} but not {@code budgets} may change the alert thresholds of
 * an existing budget and nothing else of it ({@link #requireOnlyAlertsChanged}).
 *
 * <p>Thread-safe: holds only the engine.
 */
final class PortalAccess {
    /** A request admitted: the request the handler reads, and what its reply goes through. */
    record Admission(ApiRequest request, UnaryOperator<Reply> reply) {}

    private final Engine engine;

    PortalAccess(Engine engine) {
        this.engine = engine;
    }

    /**
     * Admits a portal token's request to its route.
     *
     * @param template the route's template
     * @throws ApiException {@code 403 FORBIDDEN} with the field that names a scope outside the token's subtree
     */
    Admission admit(String template, ApiRequest request, Caller.Portal portal) {
        String scope = portal.scope();
        if (scope == null) {
            return new Admission(request, UnaryOperator.identity());
        }
        Set<String> subtree = subtree(portal.customerId(), scope);
        switch (template) {
            case Restrictions.USAGE -> {
                String asked = request.queryParam("scope");
                if (asked == null) {
                    return new Admission(withQuery(request, "scope", scope), UnaryOperator.identity());
                }
                requireIn(subtree, asked, scope, "scope");
                return new Admission(request, UnaryOperator.identity());
            }
            case Restrictions.SCOPES -> {
                return new Admission(request, r -> subtreeOnly(r, scope));
            }
            case Restrictions.BUDGET -> {
                requireIn(subtree, request.pathParam("scopeId"), scope, "scopeId");
                return new Admission(request, UnaryOperator.identity());
            }
            case Restrictions.EVENT_LOG -> {
                return new Admission(request, r -> alertsOf(r, subtree));
            }
            case Restrictions.SESSIONS -> {
                return new Admission(request, r -> sessionsOf(r, subtree));
            }
            default -> {
                return new Admission(request, UnaryOperator.identity());
            }
        }
    }

    /**
     * Refuses a change of a budget beyond its alerts by a portal token that may change alerts but not budgets.
     *
     * @param existing the budget as it is, or {@code null} if there is none
     * @throws ApiException {@code 403 PERMISSION_REQUIRED} naming the first field that would change
     */
    static void requireOnlyAlertsChanged(@Nullable Budget existing, Budget asked) {
        if (existing == null) {
            throw permissionRequired("creating a budget needs the permission 'budgets'", "permissions");
        }
        String changed = null;
        if (!Objects.equals(existing.currency(), asked.currency())) {
            changed = "currency";
        } else if (!Objects.equals(existing.feature(), asked.feature())) {
            changed = "feature";
        } else if (existing.limit().compareTo(asked.limit()) != 0) {
            changed = "limit";
        } else if (existing.period() != asked.period()) {
            changed = "period";
        } else if (existing.hard() != asked.hard()) {
            changed = "enforcement";
        } else if (!existing.dimensions().equals(asked.dimensions())) {
            changed = "dimensions";
        }
        if (changed != null) {
            throw permissionRequired(
                    "a portal token with 'alerts' alone may change a budget's alerts only; '" + changed
                            + "' needs the permission 'budgets'",
                    changed);
        }
    }

    private static ApiException permissionRequired(String message, String field) {
        return new ApiException(403, "PERMISSION_REQUIRED", message, field);
    }

    /** {@code scope} and every scope below it, of the customer's scopes now. */
    private Set<String> subtree(String customerId, String scope) {
        Map<String, List<String>> children = new LinkedHashMap<>();
        for (ScopeView v : engine.scopes(customerId)) {
            String parent = v.scope().parent();
            if (parent != null) {
                children.computeIfAbsent(parent, k -> new ArrayList<>())
                        .add(v.scope().id());
            }
        }
        Set<String> subtree = new HashSet<>();
        ArrayDeque<String> next = new ArrayDeque<>(List.of(scope));
        while (!next.isEmpty()) {
            String s = next.poll();
            if (subtree.add(s)) {
                next.addAll(children.getOrDefault(s, List.of()));
            }
        }
        return subtree;
    }

    private static void requireIn(Set<String> subtree, String asked, String scope, String field) {
        if (!subtree.contains(asked)) {
            throw new ApiException(
                    403,
                    "FORBIDDEN",
                    "a portal token of scope '" + scope + "' sees only that scope and the scopes below it",
                    field);
        }
    }

    /** A {@code GET .../scopes} answer cut to the tree under {@code scope}. */
    private static Reply subtreeOnly(Reply reply, String scope) {
        if (!(reply.body() instanceof Map<?, ?> body) || !(body.get("scopes") instanceof List<?> roots)) {
            return reply;
        }
        Map<?, ?> node = find(roots, scope);
        Map<String, Object> cut = new LinkedHashMap<>();
        cut.put("customerId", body.get("customerId"));
        cut.put("scopes", node == null ? List.of() : List.of(node));
        return new Reply(reply.status(), cut, reply.replay());
    }

    private static @Nullable Map<?, ?> find(List<?> nodes, String scope) {
        for (Object o : nodes) {
            if (o instanceof Map<?, ?> node) {
                if (scope.equals(node.get("id"))) {
                    return node;
                }
                if (node.get("children") instanceof List<?> children) {
                    Map<?, ?> found = find(children, scope);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** An alert log cut to the alerts of the subtree's scopes (budget alerts; the others are of the whole customer). */
    private static Reply alertsOf(Reply reply, Set<String> subtree) {
        if (!(reply.body() instanceof Map<?, ?> body) || !(body.get("events") instanceof List<?> events)) {
            return reply;
        }
        List<Object> kept = new ArrayList<>();
        for (Object e : events) {
            if (e instanceof Map<?, ?> event
                    && event.get("data") instanceof Map<?, ?> data
                    && data.get("scope") instanceof String s
                    && subtree.contains(s)) {
                kept.add(e);
            }
        }
        Map<String, Object> cut = new LinkedHashMap<>();
        body.forEach((k, v) -> cut.put(String.valueOf(k), v));
        cut.put("events", kept);
        return new Reply(reply.status(), cut, reply.replay());
    }

    /** A list of running sessions cut to those opened at a scope of the subtree (not those at the customer's root). */
    private static Reply sessionsOf(Reply reply, Set<String> subtree) {
        if (!(reply.body() instanceof Map<?, ?> body) || !(body.get("sessions") instanceof List<?> sessions)) {
            return reply;
        }
        List<Object> kept = new ArrayList<>();
        for (Object o : sessions) {
            if (o instanceof Map<?, ?> session && session.get("scope") instanceof String s && subtree.contains(s)) {
                kept.add(o);
            }
        }
        Map<String, Object> cut = new LinkedHashMap<>();
        body.forEach((k, v) -> cut.put(String.valueOf(k), v));
        cut.put("sessions", kept);
        return new Reply(reply.status(), cut, reply.replay());
    }

    /** {@code request} with one query parameter set. */
    private static ApiRequest withQuery(ApiRequest request, String name, String value) {
        return new ApiRequest() {
            @Override
            public @Nullable String header(String header) {
                return request.header(header);
            }

            @Override
            public String pathParam(String param) {
                return request.pathParam(param);
            }

            @Override
            public @Nullable String queryParam(String param) {
                return param.equals(name) ? value : request.queryParam(param);
            }

            @Override
            public byte[] bodyAsBytes() {
                return request.bodyAsBytes();
            }

            @Override
            public @Nullable Object caller() {
                return request.caller();
            }
        };
    }
}
