package dev.tollgate.core.api;

import dev.tollgate.core.alert.Alert;
import dev.tollgate.core.alert.Webhook;

/**
 * One alert to deliver to one webhook.
 *
 * @param alert the alert
 * @param webhook where to
 */
public record Delivery(Alert alert, Webhook webhook) {}
