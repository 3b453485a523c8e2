package dev.tollgate.server.api;

import dev.tollgate.core.alert.Webhook;
import dev.tollgate.core.mapping.WebhookJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of a webhook as the API shows it: written by the shared mapping ({@link WebhookJson}), never with its
 * secret (the journal adds the secret to its own record). An alert's JSON is the webhook's body, {@code
 * webhook/WebhookDeliverer.payload}.
 *
 * <p>Thread-safe: stateless.
 */
final class AlertViews {
    private AlertViews() {}

    static Map<String, Object> webhook(Webhook w) {
        Map<String, Object> m = new LinkedHashMap<>();
        WebhookJson.putWebhook(m, w);
        return m;
    }
}
