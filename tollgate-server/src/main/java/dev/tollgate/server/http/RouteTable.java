package dev.tollgate.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The routes of the API, as each family of {@code *Routes} adds them: a method, a path template, whether it needs the
 * API key, where it runs, and its handler.
 *
 * <p>Thread-safe once built: routes are added while the API ({@code api/HttpApi}) is set up, then only matched.
 */
public final class RouteTable {
    /** A handler answered when it returns. */
    @FunctionalInterface
    public interface Action {
        Reply handle(ApiRequest ctx) throws Exception;
    }

    /** A handler answered when its future completes (a write, once its commit has). */
    @FunctionalInterface
    public interface AsyncAction {
        CompletableFuture<Reply> handle(ApiRequest ctx) throws Exception;
    }

    /**
     * Where a route runs. {@code INLINE}: on the connection's I/O thread, for answers from memory. {@code ASYNC}: on
     * the I/O thread up to the engine's future, answered when the commit completes it, so no thread waits on an
     * fsync. {@code BLOCKING}: on the worker pool, for everything else.
     */
    public enum Mode {
        INLINE,
        ASYNC,
        BLOCKING
    }

    /** One route: its method and template (for metrics and logs), where it runs, and its handler. */
    public record Route(String method, String path, Mode mode, AsyncAction action) {}

    private final Router<Route> router = new Router<>();
    private final List<Route> all = new ArrayList<>();

    /**
     * Adds a route answered when its handler returns.
     *
     * @param auth whether the route needs the API key: it must be so exactly for the paths under {@code /v1}, whose
     *     key the API checks from the request's head, before routing ({@code api/HttpApi.headCheck})
     * @throws IllegalStateException if {@code auth} is not whether the path is under {@code /v1}
     */
    public void route(String method, String path, boolean auth, Mode mode, Action action) {
        requireKeyedUnderV1(path, auth);
        add(new Route(method, path, mode, ctx -> CompletableFuture.completedFuture(action.handle(ctx))));
    }

    /** Adds an {@link Mode#ASYNC} route under {@code /v1}, answered when its handler's future completes. */
    public void asyncRoute(String method, String path, AsyncAction action) {
        requireKeyedUnderV1(path, true);
        add(new Route(method, path, Mode.ASYNC, action));
    }

    private void add(Route route) {
        router.add(route.method(), route.path(), route);
        all.add(route);
    }

    /** Every route, in the order the families added them (the OpenAPI description's check, the tests that try every route). */
    public List<Route> routes() {
        return List.copyOf(all);
    }

    /** Finds the route for a request; {@code path} excludes the query string. */
    public Router.Result<Route> match(String method, String path) {
        return router.match(method, path);
    }

    /** The methods the routes of {@code path} have; empty if none. */
    public java.util.Set<String> methods(String path) {
        return router.methods(path);
    }

    private static void requireKeyedUnderV1(String path, boolean auth) {
        if (auth != needsKey(path)) {
            throw new IllegalStateException("a route needs the API key exactly when it is under /v1: " + path);
        }
    }

    /** Whether a request for {@code path} must carry the API key: every path under {@code /v1}, whatever the route. */
    public static boolean needsKey(String path) {
        return path.startsWith("/v1") && (path.length() == 3 || path.charAt(3) == '/');
    }
}
