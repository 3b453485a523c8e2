package dev.tollgate.server.auth;

import dev.tollgate.server.http.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Cross-origin requests from browsers, for the origins an operator lists ({@code TOLLGATE_CORS_ORIGINS}).
 *
 * <p>What is answered: to a preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) from a listed origin,
 * {@code 204} with the methods the route has, the request headers a client sends ({@link #ALLOWED_HEADERS}) and a
 * {@code Max-Age} of {@value #MAX_AGE_SECONDS} s; to any other request from a listed origin, its answer with {@code
 * Access-Control-Allow-Origin} naming that origin and the answer headers a client reads. To an origin not listed, no
 * CORS header at all (a preflight is refused {@code 403 ORIGIN_NOT_ALLOWED}), so a browser lets no script of that
 * origin read anything. {@code Access-Control-Allow-Credentials} is never sent: credentials are headers a script sets
 * ({@code Authorization}, {@code X-Customer-Token}), never cookies, so an allowed origin gets no ambient authority.
 *
 * <p>Thread-safe: immutable.
 */
public final class Cors {
    /** The request headers a browser may send. */
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Customer-Token";

    /** The answer headers a script may read. */
    static final String EXPOSED_HEADERS = "Idempotent-Replay, Retry-After, Content-Disposition";

    /** How long a browser may keep a preflight's answer. */
    static final int MAX_AGE_SECONDS = 600;

    /** No origin allowed: the default. */
    public static final Cors NONE = new Cors(Set.of(), false);

    private final Set<String> origins;
    private final boolean any;

    private Cors(Set<String> origins, boolean any) {
        this.origins = origins;
        this.any = any;
    }

    /**
     * The origins allowed.
     *
     * @param origins each {@code scheme://host[:port]} exactly as browsers send it in {@code Origin}, or {@code *} for
     *     any origin
     * @throws IllegalArgumentException naming an entry that is no origin
     */
    public static Cors of(List<String> origins) {
        boolean any = false;
        Set<String> exact = new java.util.HashSet<>();
        for (String raw : origins) {
            String o = raw.trim();
            if (o.isEmpty()) {
                continue;
            }
            if (o.equals("*")) {
                any = true;
            } else if (o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                exact.add(o.toLowerCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException("corsOrigins: '" + o + "' is not an origin (scheme://host[:port],"
                        + " no path or trailing slash) nor *");
            }
        }
        return new Cors(Set.copyOf(exact), any);
    }

    /** Whether cross-origin requests from {@code origin} are allowed. */
    public boolean allows(@Nullable String origin) {
        return origin != null && (any || origins.contains(origin.toLowerCase(Locale.ROOT)));
    }

    /** {@code response} with the headers that let a script of {@code origin} read it. */
    Response allowed(Response response, String origin) {
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Access-Control-Allow-Origin", origin);
        headers.put("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        headers.put("Vary", "Origin");
        return new Response(response.status(), response.contentType(), response.body(), headers, response.stream());
    }

    /**
     * The answer to a preflight from an allowed origin.
     *
     * @param methods the methods the route has
     */
    Response preflight(String origin, Set<String> methods) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Access-Control-Allow-Origin", origin);
        headers.put("Access-Control-Allow-Methods", String.join(", ", new java.util.TreeSet<>(methods)));
        headers.put("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        headers.put("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS));
        headers.put("Vary", "Origin");
        return new Response(204, "text/plain", new byte[0], headers);
    }
}
