/**
 * Webhooks: {@code WebhookDeliverer} (delivery from the engine's durable outbox, at least once, signed, retried with
 * back-off), {@code WebhookTargets} (which URLs and addresses a webhook may reach) and {@code WebhookAddresses} (the
 * setting that widens them).
 */
@NullMarked
package dev.tollgate.server.webhook;

import org.jspecify.annotations.NullMarked;
