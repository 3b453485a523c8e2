package dev.tollgate.core.engine.internal;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.api.Delivery;
import dev.tollgate.core.journal.JournalEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Webhooks, the outbox of deliveries and the alert log. Alerts themselves are raised by {@link AlertRules} when
 * {@link EngineContext#enqueue} commits a customer's records. Thread-safe; each write runs in the {@link
 * Engine#SYSTEM} customer's section.
 */
public final class Alerts {
    private final EngineContext ctx;

    public Alerts(EngineContext ctx) {
        this.ctx = ctx;
    }

    public CompletableFuture<Webhook> setWebhook(Webhook webhook) {
        CustomerState state = ctx.customers.computeIfAbsent(EngineContext.SYSTEM, CustomerState::new);
        synchronized (state) {
            ctx.requireAvailable();
            JournalEntry set = new JournalEntry.WebhookSet(EngineContext.SYSTEM, ctx.now(), null, webhook);
            state.apply(set, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(set)).thenApply(v -> {
                ctx.webhookIndex.put(webhook.id(), webhook);
                ctx.outbox.replaceAll(
                        (k, d) -> d.webhook().id().equals(webhook.id()) ? new Delivery(d.alert(), webhook) : d);
                return webhook;
            });
        }
    }

    public List<Webhook> webhooks() {
        return new ArrayList<>(new TreeMap<>(ctx.webhookIndex).values());
    }

    public CompletableFuture<Webhook> removeWebhook(String webhookId) {
        CustomerState state = ctx.customers.computeIfAbsent(EngineContext.SYSTEM, CustomerState::new);
        synchronized (state) {
            Webhook removed = state.webhooks.get(webhookId);
            if (removed == null) {
                throw TollgateException.notFound("WEBHOOK_NOT_FOUND", "no webhook '" + webhookId + "'", "webhookId");
            }
            ctx.requireAvailable();
            JournalEntry remove = new JournalEntry.WebhookRemoved(EngineContext.SYSTEM, ctx.now(), null, webhookId);
            state.apply(remove, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(remove)).thenApply(v -> {
                ctx.webhookIndex.remove(webhookId);
                ctx.outbox.values().removeIf(d -> d.webhook().id().equals(webhookId));
                return removed;
            });
        }
    }

    public List<Delivery> pendingDeliveries() {
        List<Delivery> out = new ArrayList<>(ctx.outbox.values());
        out.sort(java.util.Comparator.comparing((Delivery d) -> d.alert().at())
                .thenComparing(d -> d.alert().id()));
        return out;
    }

    /**
     * Records a delivery under the alert's customer, so that the server owning the customer records the deliveries of
     * its alerts (a cluster's other servers may not write {@code _system}); an alert no longer pending is recorded
     * under {@code _system}, as deliveries were before.
     */
    public CompletableFuture<Void> markDelivered(String alertId, String webhookId) {
        Delivery pending = ctx.outbox.get(alertId + ' ' + webhookId);
        CustomerState owner =
                pending == null ? null : ctx.customers.get(pending.alert().customerId());
        CustomerState state =
                owner != null ? owner : ctx.customers.computeIfAbsent(EngineContext.SYSTEM, CustomerState::new);
        synchronized (state) {
            String key = "delivered:" + alertId + " " + webhookId;
            IdempotencyKeys.KeyRecord prior = ctx.prior(state, key);
            if (prior != null) {
                KeyUse.requireKind(prior.entry(), KeyUse.Kind.DELIVERY);
                return prior.durable();
            }
            ctx.requireAvailable();
            JournalEntry done = new JournalEntry.AlertDelivered(state.id, ctx.now(), key, alertId, webhookId);
            state.apply(done, EngineContext.PLACEHOLDER);
            return ctx.enqueue(state, List.of(done)).thenRun(() -> ctx.outbox.remove(alertId + ' ' + webhookId));
        }
    }

    /**
     * Where each of an alert's deliveries stands, by webhook id in the alert's order: {@code pending} (waiting in the
     * outbox), {@code delivered} (a delivery record exists), or {@code dropped} (neither: its webhook was removed
     * before it was delivered).
     */
    public Map<String, String> deliveries(Alert alert) {
        CustomerState owner = ctx.customers.get(alert.customerId());
        CustomerState system = ctx.customers.get(EngineContext.SYSTEM);
        Map<String, String> out = new LinkedHashMap<>();
        for (String webhookId : alert.webhooks()) {
            String key = alert.id() + ' ' + webhookId;
            String status;
            if (ctx.outbox.containsKey(key)) {
                status = "pending";
            } else if (recorded(owner, key) || recorded(system, key)) {
                status = "delivered";
            } else {
                status = "dropped";
            }
            out.put(webhookId, status);
        }
        return out;
    }

    private static boolean recorded(@Nullable CustomerState state, String deliveryKey) {
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.delivered.contains(deliveryKey);
        }
    }

    public List<Alert> eventLog(@Nullable String customerId, int limit) {
        List<Alert> all = new ArrayList<>();
        for (CustomerState state : ctx.customers.values()) {
            if (customerId != null && !customerId.equals(state.id)) {
                continue;
            }
            synchronized (state) {
                all.addAll(state.alerts);
            }
        }
        all.sort(java.util.Comparator.comparing(Alert::at)
                .thenComparing(Alert::id)
                .reversed());
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }
}
