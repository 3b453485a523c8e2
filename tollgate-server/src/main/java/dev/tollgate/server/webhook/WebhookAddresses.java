package dev.tollgate.server.webhook;

/** Where webhooks may be delivered ({@code TOLLGATE_WEBHOOK_ALLOW_PRIVATE}; see {@link WebhookTargets}). */
public enum WebhookAddresses {
    /**
     * Public addresses only: a webhook URL naming, or a host resolving to, a loopback, link-local, private,
     * unique-local, shared (100.64/10), unspecified or multicast address is refused, so that whoever holds the API key
     * cannot make the server post to its own network (a cloud metadata service, a local admin port).
     */
    PUBLIC,
    /** Any address, for receivers on the server's own host or network. */
    ANY
}
