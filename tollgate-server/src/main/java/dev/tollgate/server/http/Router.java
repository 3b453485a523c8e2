package dev.tollgate.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a method and a path to a route of {@code T}: templates such as {@code /v1/customers/{customerId}/grants},
 * where a {@code {name}} segment matches any one non-empty segment. Literal segments win over parameters, so
 * {@code /v1/events/log} is never read as an event id. A trailing slash is ignored.
 *
 * <p>Thread-safe once built: {@link #add} during set-up, then only {@link #match}.
 *
 * @param <T> what a route carries
 */
public final class Router<T> {
    /** A matched route with its path parameters, raw (still percent-encoded). */
    public record Match<T>(T route, Map<String, String> params) {}

    /** What {@link #match} found. */
    public sealed interface Result<T> {}

    /** A route matched. */
    public record Found<T>(Match<T> match) implements Result<T> {}

    /** The path matches a template, but not with this method. */
    public record WrongMethod<T>() implements Result<T> {}

    /** No template matches the path. */
    public record NotFound<T>() implements Result<T> {}

    @SuppressWarnings("ArrayRecordComponent") // a template is matched against, never compared
    private record Template<T>(String method, String[] segments, T route) {}

    private final List<Template<T>> templates = new ArrayList<>();

    /** The answers for templates without parameters, by path then method: found without building anything. */
    private final Map<String, Map<String, Found<T>>> literal = new HashMap<>();

    /**
     * Adds a route.
     *
     * @param method the HTTP method, upper case
     * @param path the template, starting with {@code /}
     */
    void add(String method, String path, T route) {
        String[] segments = split(path);
        Template<T> t = new Template<>(method, segments, route);
        templates.add(t);
        if (!path.contains("{")) {
            literal.computeIfAbsent(normalize(path), p -> new HashMap<>())
                    .put(method, new Found<>(new Match<>(route, Map.of())));
        }
    }

    /** Finds the route for a request; {@code path} excludes the query string. */
    public Result<T> match(String method, String path) {
        if (!path.startsWith("/")) {
            return new NotFound<>(); // not a path: no route, whatever its segments look like
        }
        Map<String, Found<T>> byMethod = literal.get(normalize(path));
        Found<T> exact = byMethod == null ? null : byMethod.get(method);
        if (exact != null) {
            return exact;
        }
        String[] segments = split(path);
        Template<T> best = null;
        boolean pathMatched = false;
        for (Template<T> t : templates) {
            if (!matches(t.segments(), segments)) {
                continue;
            }
            pathMatched = true;
            if (t.method().equals(method) && (best == null || literals(t) > literals(best))) {
                best = t;
            }
        }
        if (best == null) {
            return pathMatched ? new WrongMethod<>() : new NotFound<>();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < best.segments().length; i++) {
            String s = best.segments()[i];
            if (isParam(s)) {
                params.put(s.substring(1, s.length() - 1), segments[i]);
            }
        }
        return new Found<>(new Match<>(best.route(), params));
    }

    /** The methods of every template that matches {@code path} (a CORS preflight's allowed methods); maybe empty. */
    public java.util.Set<String> methods(String path) {
        String[] segments = split(path);
        java.util.Set<String> methods = new java.util.TreeSet<>();
        for (Template<T> t : templates) {
            if (matches(t.segments(), segments)) {
                methods.add(t.method());
            }
        }
        return methods;
    }

    private static boolean matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            if (path[i].isEmpty() || (!isParam(template[i]) && !template[i].equals(path[i]))) {
                return false;
            }
        }
        return true;
    }

    private static int literals(Template<?> t) {
        int n = 0;
        for (String s : t.segments()) {
            if (!isParam(s)) {
                n++;
            }
        }
        return n;
    }

    private static boolean isParam(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static String normalize(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String[] split(String path) {
        String p = normalize(path);
        return p.equals("/") ? new String[0] : p.substring(1).split("/", -1);
    }
}
