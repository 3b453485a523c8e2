package dev.tollgate.core.mapping;

import dev.tollgate.core.alert.Webhook;
import java.util.ArrayList;
import java.util.Map;

/**
 * A {@link Webhook} as anyone may see it: the same in the journal and in answers.
 *
 * <p>A webhook's secret is not written here: the journal adds it to its own record, and no answer ever shows it.
 *
 * <p>Thread-safe: stateless.
 */
public final class WebhookJson {
    private WebhookJson() {}

    /** {@code id}, {@code url}, {@code events}; never the secret. */
    public static void putWebhook(Map<String, Object> m, Webhook w) {
        m.put("id", w.id());
        m.put("url", w.url());
        m.put("events", new ArrayList<Object>(w.events()));
    }
}
