package dev.tollgate.core.alert;

import java.util.List;

/**
 * A webhook endpoint.
 *
 * @param id its id
 * @param url where alerts are POSTed
 * @param events the alert types it receives ({@code *} for all)
 * @param secret the HMAC-SHA256 key for the signature header
 */
public record Webhook(String id, String url, List<String> events, String secret) {
    public Webhook {
        events = List.copyOf(events);
    }

    /** Tells whether it receives alerts of this type. */
    public boolean wants(String type) {
        return events.contains("*") || events.contains(type);
    }
}
