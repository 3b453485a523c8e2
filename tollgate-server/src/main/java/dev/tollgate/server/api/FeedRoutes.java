package dev.tollgate.server.api;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.feed.FeedStream;
import dev.tollgate.server.feed.Interest;
import dev.tollgate.server.feed.SharedRenders;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The change feed: {@code GET /v1/stream?customers=a,b&since=<cursor>} (or {@code Last-Event-ID}), Server-Sent
 * Events of each followed customer's state, a snapshot first, then every change ({@code docs/api.md}, "Change feed").
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class FeedRoutes {
    /** The most customers one stream may name; without a list it follows every customer. */
    static final int MAX_CUSTOMERS = 1000;

    private static final FeedStream.Settings SETTINGS =
            new FeedStream.Settings(Duration.ofSeconds(15), Duration.ofSeconds(30));

    private final Engine engine;
    private final ChangeFeed feed;
    private final SharedRenders renders;

    FeedRoutes(Engine engine, ChangeFeed feed) {
        this.engine = engine;
        this.feed = feed;
        this.renders = new SharedRenders(this::state, System::nanoTime);
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/stream", true, RouteTable.Mode.INLINE, this::stream);
    }

    private Reply stream(ApiRequest ctx) {
        Interest interest = interest(ctx.queryParam("customers"));
        Long since = since(ctx);
        return Reply.ok(new Reply.Stream(new FeedStream(feed, interest, since, renders, SETTINGS)));
    }

    /** A customer's state as an event carries it: {@code exists}, and its entitlements as the entitlements route. */
    private Map<String, Object> state(String customerId) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            List<Object> entitlements = new ArrayList<>();
            engine.entitlements(customerId).forEach(v -> entitlements.add(CustomerViews.effective(v)));
            m.put("exists", true);
            m.put("entitlements", entitlements);
        } catch (TollgateException e) {
            if (!"CUSTOMER_NOT_FOUND".equals(e.code())) {
                throw e;
            }
            m.put("exists", false);
        }
        return m;
    }

    private static @Nullable Interest interest(@Nullable String customers) {
        if (customers == null) {
            return null;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : customers.split(",", -1)) {
            String trimmed = id.strip();
            if (!trimmed.isEmpty()) {
                Body.checkId(trimmed, "customers");
                ids.add(trimmed);
            }
        }
        if (ids.isEmpty() || ids.size() > MAX_CUSTOMERS) {
            throw ApiException.badRequest(
                    "INVALID_FIELD",
                    "customers must name from 1 to " + MAX_CUSTOMERS + " customer ids, separated by commas",
                    "customers");
        }
        return new Interest(ids);
    }

    private static @Nullable Long since(ApiRequest ctx) {
        String raw = ctx.queryParam("since");
        String field = "since";
        if (raw == null) {
            raw = ctx.header("Last-Event-ID");
            field = "Last-Event-ID";
        }
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_FIELD", field + " must be a cursor (a whole number)", field);
        }
    }
}
