package dev.tollgate.client;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The effective entitlements of the customers this client has seen, read from {@code GET
 * /v1/customers/{id}/entitlements} on first use and answered locally afterwards.
 *
 * <p>Freshness: an entry kept current by the change feed ({@code live}) is fresh for as long as the feed is connected;
 * any other entry is fresh for the TTL after it was read, then read again on its next use. While the server is
 * unreachable an entry of any age still answers (it is the best knowledge there is); {@link #any} gives it.
 *
 * <p>Shared cache: with Redis, every entry read from the server or the feed is also written there (payload version 1,
 * with the time it was read), and a customer not in memory is looked up there before the server: fresh within the TTL
 * after it was read, or of any age while the server is unreachable.
 *
 * <p>Negative answers: a check of a feature the entitlements do not list is asked of the server, and its refusal
 * ({@code NOT_ENTITLED}, {@code NO_SUBSCRIPTION}, {@code FEATURE_NOT_FOUND}) is kept with the entry until the entry is
 * replaced.
 *
 * <p>Thread-safe.
 */
final class EntitlementCache {
    /** One customer's entitlements as read at {@code readAt}. */
    static final class Entry {
        final String customerId;
        final Map<String, Entitlement> features;
        final Instant readAt;
        final long readNanos;
        final boolean live;
        final ConcurrentHashMap<String, Decision> refusals = new ConcurrentHashMap<>();

        Entry(String customerId, Map<String, Entitlement> features, Instant readAt, long readNanos, boolean live) {
            this.customerId = customerId;
            this.features = features;
            this.readAt = readAt;
            this.readNanos = readNanos;
            this.live = live;
        }
    }

    private final Http http;
    private final Duration ttl;
    private final @Nullable SharedCache shared;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Runnable onNewCustomer;
    private final Consumer<Entry> onRead;

    /**
     * @param onNewCustomer called when a customer enters the cache (the change feed subscribes to it)
     * @param onRead called with each entry read from the server or the change feed (not the shared cache) on the
     *     reading thread, before it answers: what it did is done when the entry is visible
     */
    EntitlementCache(
            Http http,
            Duration ttl,
            @Nullable SharedCache shared,
            InstantSource clock,
            Runnable onNewCustomer,
            Consumer<Entry> onRead) {
        this.http = http;
        this.ttl = ttl;
        this.shared = shared;
        this.clock = clock;
        this.onNewCustomer = onNewCustomer;
        this.onRead = onRead;
    }

    /**
     * The customer's entry if fresh, else read anew (from the shared cache if fresh there, else the server).
     *
     * @throws TollgateUnavailableException if it must be read and the server cannot be reached
     * @throws TollgateClientException if the server refused ({@code CUSTOMER_NOT_FOUND}, ...)
     */
    Entry get(String customerId) {
        Entry e = entries.get(customerId);
        if (e != null && (e.live || System.nanoTime() - e.readNanos < ttl.toNanos())) {
            return e;
        }
        Entry fromShared = shared(customerId);
        if (fromShared != null
                && Duration.between(fromShared.readAt, clock.instant()).compareTo(ttl) < 0) {
            return remember(fromShared);
        }
        Http.Reply reply = http.send("GET", "/v1/customers/" + customerId + "/entitlements", null);
        if (!reply.ok()) {
            throw reply.error();
        }
        return accept(customerId, reply.body(), false);
    }

    /** The customer's entry of any age, from memory or the shared cache, or {@code null}. Never calls the server. */
    @Nullable
    Entry any(String customerId) {
        Entry e = entries.get(customerId);
        if (e != null) {
            return e;
        }
        Entry fromShared = shared(customerId);
        return fromShared == null ? null : remember(fromShared);
    }

    /**
     * Replaces the customer's entry with {@code answer}, read now: the JSON of {@code GET …/entitlements}, or a change
     * feed event (its {@code entitlements} list is the same; a customer that does not exist has none).
     *
     * @param live whether the change feed will keep it current
     */
    Entry accept(String customerId, JsonNode answer, boolean live) {
        Entry e = parse(customerId, answer, clock.instant(), live);
        onRead.accept(e);
        remember(e);
        if (shared != null) {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("v", 1);
            payload.put("readAt", e.readAt.toString());
            payload.put("entitlements", answer);
            shared.put(key(customerId), Wire.writeString(payload));
        }
        return e;
    }

    /** The change feed stopped: every entry falls back to its TTL, counted from now. */
    void feedLost() {
        entries.replaceAll((id, e) -> e.live ? new Entry(id, e.features, e.readAt, System.nanoTime(), false) : e);
    }

    /** Whether {@code customerId} is in memory. */
    boolean has(String customerId) {
        return entries.containsKey(customerId);
    }

    /** How many customers are in memory. */
    int size() {
        return entries.size();
    }

    /** The customers in memory. */
    Set<String> customers() {
        return Set.copyOf(entries.keySet());
    }

    private Entry remember(Entry e) {
        if (entries.put(e.customerId, e) == null) {
            onNewCustomer.run();
        }
        return e;
    }

    private @Nullable Entry shared(String customerId) {
        if (shared == null) {
            return null;
        }
        String payload = shared.get(key(customerId));
        if (payload == null) {
            return null;
        }
        JsonNode n = Wire.read(payload);
        if (n.path("v").asInt(0) != 1 || !n.path("readAt").isString()) {
            return null;
        }
        Instant readAt = Instant.parse(n.path("readAt").asString());
        long ageNanos = Math.max(0, Duration.between(readAt, clock.instant()).toNanos());
        Entry e = parse(customerId, n.path("entitlements"), readAt, false);
        return new Entry(customerId, e.features, readAt, System.nanoTime() - ageNanos, false);
    }

    private static Entry parse(String customerId, JsonNode answer, Instant readAt, boolean live) {
        Map<String, Entitlement> features = new LinkedHashMap<>();
        for (JsonNode n : answer.path("entitlements").values()) {
            Entitlement e = Wire.entitlement(n);
            features.put(e.feature(), e);
        }
        return new Entry(customerId, Map.copyOf(features), readAt, System.nanoTime(), live);
    }

    private static String key(String customerId) {
        return "tollgate:entitlements:v1:" + customerId;
    }
}
