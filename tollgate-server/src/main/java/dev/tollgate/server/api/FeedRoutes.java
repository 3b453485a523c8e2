package dev.tollgate.server.api;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.feed.ChangeFeed;
import dev.tollgate.server.feed.FeedQuery;
import dev.tollgate.server.feed.FeedStream;
import dev.tollgate.server.feed.SharedRenders;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The change feed: {@code GET /v1/stream?customers=a,b&since=<cursor>} (or {@code Last-Event-ID}), Server-Sent
 * Events of each followed customer's state, a snapshot first, then every change ({@code docs/api.md}, "Change feed").
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 */
final class FeedRoutes {
    private static final FeedStream.Settings SETTINGS =
            new FeedStream.Settings(Duration.ofSeconds(15), Duration.ofSeconds(30));

    private final Engine engine;
    private final ChangeFeed feed;
    private final SharedRenders renders;
    private final Keyring keyring;

    /** @param keyring tells each stream whether its subscriber's credential is still in force */
    FeedRoutes(Engine engine, ChangeFeed feed, Keyring keyring) {
        this.engine = engine;
        this.feed = feed;
        this.keyring = keyring;
        this.renders = new SharedRenders(this::state, feed::epoch, System::nanoTime);
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/stream", true, RouteTable.Mode.INLINE, this::stream);
    }

    private Reply stream(ApiRequest ctx) {
        FeedQuery query = FeedQuery.of(ctx);
        return Reply.ok(new Reply.Stream(new FeedStream(
                feed,
                query.interest(),
                query.sinceCursor(),
                renders,
                SETTINGS,
                keyring.inForce(ctx.header("Authorization")))));
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
            // NOT_OWNER: the customer left this node during the render, which SharedRenders then drops (its epoch
            // moved)
            if (!"CUSTOMER_NOT_FOUND".equals(e.code()) && !"NOT_OWNER".equals(e.code())) {
                throw e;
            }
            m.put("exists", false);
        }
        return m;
    }
}
