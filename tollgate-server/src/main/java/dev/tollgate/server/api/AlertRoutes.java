package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.await;
import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.cursorAfter;
import static dev.tollgate.server.http.Requests.pageAfter;
import static dev.tollgate.server.http.Requests.pageLimit;
import static dev.tollgate.server.http.Requests.pathId;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import dev.tollgate.server.webhook.WebhookAddresses;
import dev.tollgate.server.webhook.WebhookDeliverer;
import dev.tollgate.server.webhook.WebhookTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alerts: {@code /v1/webhooks} (list, set, read, delete) and {@code GET /v1/events/log}, the alerts raised lately,
 * each with where its deliveries to webhooks stand.
 *
 * <p>Thread-safe: holds only the engine and an immutable setting.
 */
final class AlertRoutes {
    private final Engine engine;
    private final WebhookAddresses webhookAddresses;

    /** @param webhookAddresses where webhooks may be set to deliver */
    AlertRoutes(Engine engine, WebhookAddresses webhookAddresses) {
        this.engine = engine;
        this.webhookAddresses = webhookAddresses;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("GET", "/v1/webhooks", true, RouteTable.Mode.BLOCKING, this::listWebhooks);
        table.route("PUT", "/v1/webhooks/{webhookId}", true, RouteTable.Mode.BLOCKING, this::putWebhook);
        table.route("GET", "/v1/webhooks/{webhookId}", true, RouteTable.Mode.BLOCKING, this::getWebhook);
        table.route("DELETE", "/v1/webhooks/{webhookId}", true, RouteTable.Mode.BLOCKING, this::deleteWebhook);
        table.route("GET", "/v1/events/log", true, RouteTable.Mode.BLOCKING, this::eventLog);
    }

    private Reply putWebhook(ApiRequest ctx) {
        String id = pathId(ctx, "webhookId");
        Body b = body(ctx).allowOnly("url", "events", "secret");
        String url = b.requireString("url");
        WebhookTargets.requireAllowed(url, webhookAddresses);
        List<String> events = new ArrayList<>();
        List<Object> raw = b.optList("events", 50);
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String e) || !ALERT_TYPES.contains(e)) {
                throw ApiException.badRequest("INVALID_EVENT_TYPE", "events are " + ALERT_TYPES, "events[" + i + "]");
            }
            events.add(e);
        }
        String secret = b.requireString("secret");
        if (secret.length() < 16) {
            throw ApiException.badRequest("INVALID_SECRET", "secret must be at least 16 characters", "secret");
        }
        Webhook webhook =
                await(engine.setWebhook(new Webhook(id, url, events.isEmpty() ? List.of("*") : events, secret)));
        return Reply.ok(AlertViews.webhook(webhook));
    }

    private Reply listWebhooks(ApiRequest ctx) {
        int limit = pageLimit(ctx);
        String after = pageAfter(ctx);
        List<Object> page = new ArrayList<>();
        String next = null;
        String last = null;
        for (Webhook w : engine.webhooks()) {
            if (after != null && w.id().compareTo(after) <= 0) {
                continue;
            }
            if (last != null && page.size() == limit) {
                next = cursorAfter(last);
                break;
            }
            page.add(AlertViews.webhook(w));
            last = w.id();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("webhooks", page);
        body.put("nextCursor", next);
        return Reply.ok(body);
    }

    private Reply getWebhook(ApiRequest ctx) {
        String id = pathId(ctx, "webhookId");
        return Reply.ok(AlertViews.webhook(engine.webhooks().stream()
                .filter(w -> w.id().equals(id))
                .findFirst()
                .orElseThrow(() ->
                        TollgateException.notFound("WEBHOOK_NOT_FOUND", "no webhook '" + id + "'", "webhookId"))));
    }

    private Reply deleteWebhook(ApiRequest ctx) {
        Map<String, Object> body = AlertViews.webhook(await(engine.removeWebhook(pathId(ctx, "webhookId"))));
        body.put("deleted", true);
        return Reply.ok(body);
    }

    private static final List<String> ALERT_TYPES = List.of(
            "*",
            "limit.threshold",
            "budget.threshold",
            "balance.low",
            "balance.depleted",
            "credits.recharged",
            "credits.expired");

    private Reply eventLog(ApiRequest ctx) {
        String customer = ctx.queryParam("customerId");
        if (customer != null) {
            Body.checkId(customer, "customerId");
        }
        int limit = pageLimit(ctx);
        List<Object> events = new ArrayList<>();
        for (Alert a : engine.eventLog(customer, limit)) {
            Map<String, Object> event = new LinkedHashMap<>(WebhookDeliverer.payload(a));
            List<Object> deliveries = new ArrayList<>();
            engine.deliveries(a).forEach((webhookId, status) -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("webhookId", webhookId);
                d.put("status", status);
                deliveries.add(d);
            });
            event.put("deliveries", deliveries);
            events.add(event);
        }
        return Reply.ok(Map.of("events", events));
    }
}
