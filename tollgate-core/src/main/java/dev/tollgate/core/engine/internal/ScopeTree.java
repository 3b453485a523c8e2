package dev.tollgate.core.engine.internal;

import dev.tollgate.core.budget.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One customer's scope tree: every scope by id, in creation order, and the path of each scope asked for (kept until
 * the tree changes: every check with a scope walks it, and building it was a tenth of an in-process check).
 *
 * <p>Not thread-safe: part of a {@link CustomerState}, guarded by the customer's section.
 */
final class ScopeTree {
    private final Map<String, Scope> scopes = new LinkedHashMap<>();
    /** {@link #path} of each known scope asked for, until {@link #scopes} changes; every change clears it. */
    private final Map<String, List<String>> paths = new HashMap<>();

    /** Creates a scope, or renames or moves it. */
    void set(Scope scope) {
        scopes.put(scope.id(), scope);
        paths.clear();
    }

    /** Tells whether the scope exists. */
    boolean contains(String scopeId) {
        return scopes.containsKey(scopeId);
    }

    /** The scope, or {@code null}. */
    @Nullable
    Scope get(String scopeId) {
        return scopes.get(scopeId);
    }

    /** Every scope's id, in creation order. Unmodifiable view. */
    Set<String> ids() {
        return java.util.Collections.unmodifiableSet(scopes.keySet());
    }

    /** Makes this tree equal to {@code other}. */
    void copyFrom(ScopeTree other) {
        scopes.clear();
        scopes.putAll(other.scopes);
        paths.clear();
    }

    /** Forgets every scope. */
    void clear() {
        scopes.clear();
        paths.clear();
    }

    /** The scope and its ancestors, leaf first; empty for an unknown scope. Unmodifiable. */
    List<String> path(String scope) {
        if (!scopes.containsKey(scope)) {
            return List.of();
        }
        return paths.computeIfAbsent(scope, this::walkUp);
    }

    private List<String> walkUp(String scope) {
        List<String> out = new ArrayList<>();
        String at = scope;
        while (at != null && scopes.containsKey(at) && out.size() <= scopes.size()) {
            out.add(at);
            at = scopes.get(at).parent();
        }
        return List.copyOf(out);
    }

    /**
     * Tells whether {@code scope} is {@code ancestor} or below it in the current tree ({@code null}, the customer
     * root, is below no scope).
     */
    boolean within(@Nullable String scope, String ancestor) {
        return scope != null && path(scope).contains(ancestor);
    }

    /**
     * The scope {@code depth} levels below the customer root on the current path of {@code scope} (1: a top-level
     * scope), or {@code scope} itself when it lies no deeper than that; {@code null} stays {@code null}.
     */
    @Nullable
    String atDepth(@Nullable String scope, int depth) {
        if (scope == null) {
            return null;
        }
        List<String> path = path(scope);
        return path.size() > depth ? path.get(path.size() - depth) : scope;
    }
}
