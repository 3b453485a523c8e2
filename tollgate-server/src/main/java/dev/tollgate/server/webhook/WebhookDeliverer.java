package dev.tollgate.server.webhook;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.api.Delivery;
import dev.tollgate.core.engine.Engine;
import dev.tollgate.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to webhooks, at least once, from the engine's durable outbox.
 *
 * <p>Design: every {@value #POLL_MILLIS} ms one thread takes the pending deliveries that are due and hands them, by
 * webhook, to a sender thread per webhook (at most one at a time for each webhook, one thread per webhook with
 * attempts under way), which POSTs them in turn and on a 2xx answer records the delivery in the journal (so neither a
 * retry nor a restart sends it again). So a receiver that hangs until the timeouts (5 s to connect, 10 s to answer)
 * delays only its own deliveries, never another webhook's. A failure (any other status, a timeout, a refused
 * connection) is retried with exponential back-off, 0.5 s doubling up to 60 s. The back-off lives in memory: after a
 * restart every undelivered alert is tried at once. A receiver may see an alert twice (a crash between its 2xx and the
 * record); {@code Tollgate-Event-Id} lets it drop repeats.
 *
 * <p>Targets: before each attempt, every address the URL's host resolves to must be allowed ({@link WebhookTargets});
 * a refused attempt is logged and retried like a failed one, since DNS may change again. Redirects are not followed.
 *
 * <p>Signature: header {@code Tollgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, in
 * the manner of Stripe's; receivers recompute it and reject old timestamps.
 *
 * <p>Thread-safe; {@link #close()} stops it.
 */
public final class WebhookDeliverer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliverer.class);
    /** How often the outbox is looked at for deliveries that are due, in milliseconds. */
    public static final long POLL_MILLIS = 200;

    private static final long MAX_BACKOFF_MILLIS = 60_000;

    private record Attempts(int count, long nextAtMillis) {}

    private final Engine engine;
    private final WebhookAddresses allowed;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Attempts> attempts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tollgate-webhooks");
        t.setDaemon(true);
        return t;
    });
    /** Ids of the webhooks whose sender is under way. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tollgate-webhook-sender");
        t.setDaemon(true);
        return t;
    });

    /** @param allowed where deliveries may go: checked against the addresses the host resolves to at each attempt */
    public WebhookDeliverer(Engine engine, WebhookAddresses allowed) {
        this.engine = engine;
        this.allowed = allowed;
        thread.scheduleWithFixedDelay(this::deliverDue, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void deliverDue() {
        try {
            List<Delivery> pending = engine.pendingDeliveries();
            Set<String> keys = new HashSet<>();
            pending.forEach(d -> keys.add(d.alert().id() + ' ' + d.webhook().id()));
            // back-offs of deliveries no longer pending (a removed webhook's) are forgotten
            attempts.keySet().retainAll(keys);
            Map<String, List<Delivery>> due = new LinkedHashMap<>();
            for (Delivery d : pending) {
                Attempts a = attempts.get(d.alert().id() + ' ' + d.webhook().id());
                if (a == null || a.nextAtMillis() <= System.currentTimeMillis()) {
                    due.computeIfAbsent(d.webhook().id(), k -> new ArrayList<>())
                            .add(d);
                }
            }
            due.forEach((webhookId, deliveries) -> {
                if (sending.add(webhookId)) {
                    senders.execute(() -> {
                        try {
                            deliveries.forEach(this::attempt);
                        } finally {
                            sending.remove(webhookId);
                        }
                    });
                }
            });
        } catch (Exception e) {
            LOG.warn("event=webhook_round_failed error=\"{}\"", e.getMessage());
        }
    }

    /** Sends one delivery unless the deliverer is closing; records it, or its next back-off. */
    private void attempt(Delivery d) {
        if (Thread.currentThread().isInterrupted()) {
            return;
        }
        String key = d.alert().id() + ' ' + d.webhook().id();
        try {
            if (send(d)) {
                engine.markDelivered(d.alert().id(), d.webhook().id()).get(30, TimeUnit.SECONDS);
                attempts.remove(key);
            } else {
                Attempts a = attempts.get(key);
                int n = a == null ? 1 : a.count() + 1;
                long backoff = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(n - 1, 20));
                attempts.put(key, new Attempts(n, System.currentTimeMillis() + backoff));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn(
                    "event=webhook_record_failed alert={} webhook={} error=\"{}\"",
                    d.alert().id(),
                    d.webhook().id(),
                    e.getMessage());
        }
    }

    private boolean send(Delivery d) {
        String body = Json.write(payload(d.alert()));
        long t = System.currentTimeMillis() / 1000;
        try {
            URI target = URI.create(d.webhook().url());
            String refusal = WebhookTargets.refusalAtDelivery(target, allowed);
            if (refusal != null) {
                LOG.warn(
                        "event=webhook_refused alert={} webhook={} error=\"{}\"",
                        d.alert().id(),
                        d.webhook().id(),
                        refusal);
                return false;
            }
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Tollgate-Event-Id", d.alert().id())
                    .header(
                            "Tollgate-Signature",
                            "t=" + t + ",v1=" + sign(d.webhook().secret(), t + "." + body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            boolean ok = status >= 200 && status < 300;
            LOG.info(
                    "event=webhook_attempt alert={} webhook={} status={}",
                    d.alert().id(),
                    d.webhook().id(),
                    status);
            return ok;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.info(
                    "event=webhook_attempt alert={} webhook={} error=\"{}\"",
                    d.alert().id(),
                    d.webhook().id(),
                    e.getMessage());
            return false;
        }
    }

    /** The JSON body of an alert. */
    public static Map<String, Object> payload(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("type", a.type());
        m.put("customerId", a.customerId());
        m.put("at", a.at().toString());
        m.put("data", new LinkedHashMap<String, Object>(a.data()));
        return m;
    }

    /** Hex HMAC-SHA256 of {@code message} under {@code secret}. */
    static String sign(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        senders.shutdownNow();
    }
}
