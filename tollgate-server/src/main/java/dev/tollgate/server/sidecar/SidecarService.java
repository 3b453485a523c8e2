package dev.tollgate.server.sidecar;

import dev.tollgate.client.Tollgate;
import dev.tollgate.client.TollgateClientException;
import dev.tollgate.client.TollgateUnavailableException;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Router;
import dev.tollgate.server.http.Service;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar as the {@code http/HttpFront}'s {@link Service}: no key check (it listens on the loopback interface, and
 * the key it sends upstream is its own), the routes of {@link SidecarRoutes} run on workers, and failures answered as
 * the server answers them: {@code {"error": {"code", "message", "field"}}} with the server's status and code, passed
 * through from the server when it refused the request, {@code 503 UNREACHABLE} when it could not be reached and the
 * route cannot fall back (sessions, events without a spool).
 *
 * <p>Thread-safe: the route table is built once; the SDK and the executor are.
 */
final class SidecarService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarService.class);

    private final RouteTable routes = new RouteTable();
    private final Executor workers;

    SidecarService(Tollgate tollgate, Executor workers) {
        this.workers = workers;
        new SidecarRoutes(tollgate).register(routes);
    }

    @Override
    public HeadCheck headCheck() {
        return (method, path, headers) -> null;
    }

    @Override
    public void dispatch(String method, String path, Service.Request request, Consumer<Response> done) {
        Router.Result<RouteTable.Route> result = routes.match(method, path);
        if (result instanceof Router.NotFound<RouteTable.Route>) {
            done.accept(Response.error(404, "ROUTE_NOT_FOUND", "no route " + method + " " + path));
            return;
        }
        if (result instanceof Router.WrongMethod<RouteTable.Route>) {
            done.accept(Response.error(405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed on " + path));
            return;
        }
        Router.Match<RouteTable.Route> match = ((Router.Found<RouteTable.Route>) result).match();
        request.pathParams(match.params());
        try {
            workers.execute(() -> done.accept(run(match.route(), request)));
        } catch (RejectedExecutionException e) {
            done.accept(Response.error(503, "UNAVAILABLE", "the sidecar is shutting down"));
        }
    }

    private static Response run(RouteTable.Route route, Service.Request request) {
        try {
            Reply reply = route.action().handle(request).join();
            return Response.json(reply.status(), reply.body());
        } catch (Exception e) {
            return refusal(route, e);
        }
    }

    private static Response refusal(RouteTable.Route route, Exception failure) {
        Throwable e = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (e instanceof ApiException api) {
            return Response.json(
                    api.status(), Response.errorBody(api.code(), String.valueOf(api.getMessage()), api.field()));
        }
        if (e instanceof TollgateUnavailableException u) {
            LOG.warn("event=upstream_unavailable route={} error=\"{}\"", route.path(), u.getMessage());
            int status = u.httpStatus() >= 500 ? u.httpStatus() : 503;
            return Response.json(status, Response.errorBody(u.code(), message(u), null));
        }
        if (e instanceof TollgateClientException c) {
            int status = c.httpStatus() >= 400 ? c.httpStatus() : 400;
            return Response.json(status, Response.errorBody(c.code(), message(c), c.field()));
        }
        if (e instanceof IllegalArgumentException bad) {
            return Response.error(400, "INVALID_REQUEST", String.valueOf(bad.getMessage()));
        }
        LOG.error("event=internal_error method={} route={}", route.method(), route.path(), e);
        return Response.error(500, "INTERNAL", "internal error; the request may be retried");
    }

    /** The server's message, without the {@code CODE: } the SDK's exception puts before it. */
    private static String message(TollgateClientException e) {
        String m = String.valueOf(e.getMessage());
        String prefix = e.code() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
