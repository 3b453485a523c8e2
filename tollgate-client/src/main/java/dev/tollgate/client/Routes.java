package dev.tollgate.client;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Where a call goes when the server is a cluster: straight to the node that owns the call's customer when this client
 * knows it, else to an entry node (the configured base URL, or, while that cannot be connected to, another live node).
 *
 * <p>What it knows, and from where: the owner of a customer from the answers themselves (every node names the owner of
 * a customer it answered for in {@value #OWNER_HEADER}, also when it forwarded the call), so the first call of a
 * customer costs the node's forwarding hop and the next ones go straight to its owner; the live nodes from {@code GET
 * /v1/cluster}, read now and then ({@link #members}). A server alone answers neither: every call then goes to the base
 * URL, as without this class.
 *
 * <p>Failure: a node that cannot be connected to (nothing was sent) is avoided for 10 s, then twice as long each time
 * it fails again, up to 5 minutes; a call that could not connect is sent to the next candidate (the entry node, then the
 * other live nodes). A stale owner that still answers forwards the call to the new owner and names it, so a move costs
 * one hop, never a wrong answer.
 *
 * <p>Thread-safe.
 */
final class Routes {
    /** The answer header naming the URL of the node that owns the call's customer. */
    static final String OWNER_HEADER = "Tollgate-Owner";

    /** Beyond this many customers, what was learned is forgotten and learned again. */
    static final int MAX_OWNERS = 100_000;

    private static final long FIRST_AVOID_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long LONGEST_AVOID_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** A node avoided until {@code untilNanos}, after {@code failures} failures in a row. */
    private record Avoided(long untilNanos, int failures) {}

    private final URI base;
    private final boolean direct;
    private final ConcurrentHashMap<String, URI> owners = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<URI, Avoided> avoided = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();
    private volatile List<URI> members = List.of();

    /**
     * @param base the configured server address, without a trailing slash
     * @param direct whether calls for a customer go to its owner when known
     */
    Routes(URI base, boolean direct) {
        this.base = base;
        this.direct = direct;
    }

    /** The node a call for {@code customerId} (or none) goes to first. */
    URI target(@Nullable String customerId) {
        if (direct && customerId != null) {
            URI owner = owners.get(customerId);
            if (owner != null && usable(owner)) {
                return owner;
            }
        }
        return entry();
    }

    /**
     * The node a call that names no customer goes to, and where the change feed connects: the base URL, unless it is
     * avoided and some live node is not.
     */
    URI entry() {
        if (usable(base)) {
            return base;
        }
        List<URI> known = members;
        for (int i = 0; i < known.size(); i++) {
            URI m = known.get(Math.floorMod(turn.getAndIncrement(), known.size()));
            if (usable(m)) {
                return m;
            }
        }
        return base;
    }

    /**
     * The next node to try after {@code failed} could not be connected to, or {@code null} if none is left: the entry
     * node (when it was not the one that failed), then every other live node not avoided.
     */
    @Nullable
    URI after(URI failed) {
        URI entry = entry();
        if (!entry.equals(failed) && usable(entry)) {
            return entry;
        }
        for (URI m : members) {
            if (!m.equals(failed) && usable(m)) {
                return m;
            }
        }
        return null;
    }

    /** An answer came from {@code from}: whatever it said of the customer's owner is learned, and it is usable. */
    void answered(URI from, @Nullable String customerId, @Nullable String ownerHeader) {
        avoided.remove(from);
        if (!direct || customerId == null || ownerHeader == null || ownerHeader.isBlank()) {
            return;
        }
        URI owner;
        try {
            owner = URI.create(stripSlash(ownerHeader.strip()));
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!"http".equals(owner.getScheme()) && !"https".equals(owner.getScheme())) {
            return;
        }
        if (owners.size() >= MAX_OWNERS) {
            owners.clear();
        }
        owners.put(customerId, owner);
    }

    /** {@code node} could not be connected to: avoided for a while, longer each time in a row. */
    void unreachable(URI node) {
        avoided.compute(node, (n, a) -> {
            int failures = a == null ? 1 : a.failures() + 1;
            long wait = Math.min(LONGEST_AVOID_NANOS, FIRST_AVOID_NANOS << Math.min(failures - 1, 5));
            return new Avoided(System.nanoTime() + wait, failures);
        });
    }

    /** The live nodes' URLs, from {@code GET /v1/cluster}. */
    void members(List<URI> live) {
        members = List.copyOf(live);
    }

    /** The live nodes' URLs last read; empty for a server alone. */
    List<URI> members() {
        return members;
    }

    private boolean usable(URI node) {
        Avoided a = avoided.get(node);
        return a == null || System.nanoTime() - a.untilNanos() >= 0;
    }

    /**
     * The customer a call is for, read as the server reads it: from the path ({@code /v1/customers/{id}/...}, a session
     * id {@code <customerId>@s<n>}) or the body's {@code customerId}; {@code null} for a call of no one customer.
     */
    static @Nullable String customerOf(String path, @Nullable Object body) {
        if (path.startsWith("/v1/customers/")) {
            return decode(segment(path, "/v1/customers/".length()));
        }
        if (path.startsWith("/v1/sessions/")) {
            String sessionId = decode(segment(path, "/v1/sessions/".length()));
            int at = sessionId.lastIndexOf('@');
            return at <= 0 ? null : sessionId.substring(0, at);
        }
        if (body instanceof Map<?, ?> m && m.get("customerId") instanceof String id) {
            return id;
        }
        return null;
    }

    /** The live members' URLs in a {@code GET /v1/cluster} answer. */
    static List<URI> liveMembers(tools.jackson.databind.JsonNode cluster) {
        List<URI> live = new ArrayList<>();
        for (tools.jackson.databind.JsonNode m : cluster.path("members")) {
            String url = m.path("url").asString("");
            if (m.path("alive").asBoolean(false) && !url.isEmpty()) {
                try {
                    live.add(URI.create(stripSlash(url)));
                } catch (IllegalArgumentException e) {
                    // a member whose URL is not one is not a place to send calls
                }
            }
        }
        return live;
    }

    private static String segment(String path, int from) {
        int slash = path.indexOf('/', from);
        return slash < 0 ? path.substring(from) : path.substring(from, slash);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
