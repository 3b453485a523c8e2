package dev.tollgate.server.auth;

import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.Response;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.http.Router;
import dev.tollgate.server.http.Service;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The service in front of the API (and, in a cluster, of the forwarding to other servers): who sent each request,
 * whether it may call its route, and CORS.
 *
 * <p>Credentials first: a request under {@code /v1} is checked from its head, before its body is read and before
 * routing ({@link #headCheck}): without a credential in force ({@code Authorization: Bearer <key or token>}, {@link
 * Keyring}) it is refused {@code 401} and its connection closed, whatever the route or method, so that an
 * unauthenticated client can neither make the server buffer a body nor learn which routes exist. The one exception is
 * a CORS preflight (no credential, no body), which is answered here and nowhere else.
 *
 * <p>Rights: an operator (a secret key) may call everything. A restricted caller (a publishable key, a portal token)
 * is refused, here, every route {@link Restrictions} does not list for it, and every customer but its own, before the
 * request is forwarded or handled; what depends on the customer's state (a scope's subtree) the API checks where the
 * customer is served.
 *
 * <p>CORS ({@link Cors}): answers from a listed origin carry the headers that let its scripts read them, refusals
 * included.
 *
 * <p>Thread-safe: a head check is confined to its connection; the rest is immutable or thread-safe.
 */
public final class Gate implements Service {
    private final Service inner;
    private final Keyring keyring;
    private final Cors cors;
    private final RouteTable routes;

    /**
     * @param inner what serves the requests that pass
     * @param routes the API's routes, to know what a restricted caller calls
     */
    public Gate(Service inner, Keyring keyring, Cors cors, RouteTable routes) {
        this.inner = inner;
        this.keyring = keyring;
        this.cors = cors;
        this.routes = routes;
    }

    @Override
    public HeadCheck headCheck() {
        return new Check(keyring.remembering());
    }

    /** One connection's check: see the class comment. */
    private final class Check implements HeadCheck {
        private final Keyring.Remembered keys;
        private @Nullable Caller accepted;

        Check(Keyring.Remembered keys) {
            this.keys = keys;
        }

        @Override
        public @Nullable Response refuse(String method, String path, Headers headers) {
            accepted = null;
            if (!RouteTable.needsKey(path)) {
                return null;
            }
            if (method.equals("OPTIONS")
                    && headers.get("Origin") != null
                    && headers.get("Access-Control-Request-Method") != null
                    && bodiless(headers)) {
                accepted = Caller.Preflight.INSTANCE;
                return null;
            }
            String authorization = headers.get("Authorization");
            if (authorization == null || authorization.isBlank()) {
                return unauthenticated(
                        "UNAUTHENTICATED", "missing 'Authorization: Bearer <key>' header", headers.get("Origin"));
            }
            String presented = presented(authorization);
            if (presented == null) {
                return unauthenticated("UNAUTHENTICATED", "invalid API key or token", headers.get("Origin"));
            }
            Keyring.Resolution r = keys.check(presented);
            if (r instanceof Keyring.Refused refused) {
                return unauthenticated(refused.code(), refused.message(), headers.get("Origin"));
            }
            accepted = ((Keyring.Accepted) r).caller();
            return null;
        }

        @Override
        public @Nullable Object accepted() {
            return accepted;
        }
    }

    /**
     * The credential an {@code Authorization} header presents: what follows {@code Bearer } (any case), trimmed.
     *
     * @return the credential, or {@code null} if the header is absent or of another scheme
     */
    public static @Nullable String presented(@Nullable String authorization) {
        return authorization != null && isBearer(authorization)
                ? authorization.substring(7).trim()
                : null;
    }

    /**
     * Whether the header starts with {@code Bearer } in any case: what {@code regionMatches(true, 0, "Bearer ", 0, 7)}
     * tells, compared as ASCII (no character outside it folds to one of these letters), once per request without
     * {@code String}'s case tables, which took 4 % of the I/O thread's time in a check (profiled).
     */
    private static boolean isBearer(String authorization) {
        if (authorization.length() < 7 || authorization.charAt(6) != ' ') {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if ((authorization.charAt(i) | 0x20) != "bearer".charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean bodiless(Headers headers) {
        String length = headers.get("Content-Length");
        return headers.get("Transfer-Encoding") == null
                && (length == null || length.trim().equals("0"));
    }

    private Response unauthenticated(String code, String message, @Nullable String origin) {
        Response refusal = Response.error(401, code, message);
        return cors.allows(origin) ? cors.allowed(refusal, Objects.requireNonNull(origin)) : refusal;
    }

    @Override
    public void dispatch(String method, String path, Request request, Consumer<Response> done) {
        String origin = request.header("Origin");
        Consumer<Response> answer =
                cors.allows(origin) ? r -> done.accept(cors.allowed(r, Objects.requireNonNull(origin))) : done;
        Object caller = request.caller();
        if (caller == Caller.Preflight.INSTANCE) {
            done.accept(preflight(path, origin));
            return;
        }
        if (caller instanceof Caller c && !c.operator()) {
            try {
                admit(c, method, path, request);
            } catch (ApiException e) {
                answer.accept(Response.json(
                        e.status(), Response.errorBody(e.code(), Objects.requireNonNull(e.getMessage()), e.field())));
                return;
            }
        }
        inner.dispatch(method, path, request, answer);
    }

    private void admit(Caller caller, String method, String path, Request request) {
        Router.Result<RouteTable.Route> result = routes.match(method, path);
        if (!(result instanceof Router.Found<RouteTable.Route> found)) {
            // a restricted caller learns nothing of which routes exist
            throw Restrictions.forbidden("this credential may not call " + method + " " + path, null);
        }
        request.pathParams(found.match().params());
        Restrictions.check(caller, method, found.match().route().path(), request);
    }

    private Response preflight(String path, @Nullable String origin) {
        if (!cors.allows(origin)) {
            return Response.json( // the answer depends on the origin: a cache must not give it to a listed one
                    403,
                    Response.errorBody(
                            "ORIGIN_NOT_ALLOWED", "cross-origin requests from " + origin + " are not allowed", null),
                    Map.of("Vary", "Origin"));
        }
        Set<String> methods = routes.methods(path);
        if (methods.isEmpty()) {
            return cors.allowed(
                    Response.error(404, "ROUTE_NOT_FOUND", "no route " + path), Objects.requireNonNull(origin));
        }
        return cors.preflight(Objects.requireNonNull(origin), methods);
    }
}
