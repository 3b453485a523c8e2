package dev.tollgate.server.auth;

import dev.tollgate.core.store.StoredPortalSession;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a request, as its credential says ({@link Keyring#resolve}): what the API decides rights on.
 *
 * <p>Thread-safe: immutable.
 */
public sealed interface Caller {

    /** The root key's id in lists and logs: the configured (or generated) key, which cannot be revoked. */
    String ROOT = "root";

    /** Whether this caller has every right: a secret key (the root key or a stored one). */
    default boolean operator() {
        return this instanceof Operator;
    }

    /**
     * A secret key: every right.
     *
     * @param keyId the key's id, {@link #ROOT} for the root key
     */
    record Operator(String keyId) implements Caller {}

    /**
     * A publishable key: may only read one customer's entitlements, usage and balances, with that customer's token.
     *
     * @param keyId the key's id
     * @param tokens checks the customer tokens of this key
     */
    record Publishable(String keyId, CustomerTokens tokens) implements Caller {}

    /**
     * A portal token: may read one customer (one scope's subtree, if it has a scope) and change what its permissions
     * say.
     *
     * @param session the portal session the token opens
     */
    record Portal(StoredPortalSession session) implements Caller {
        /** Reading: every portal token may. */
        public static final String READ = "read";

        /** Changing budgets (limits, periods, enforcement, alerts) of its subtree. */
        public static final String BUDGETS = "budgets";

        /** Changing the alert thresholds of existing budgets of its subtree. */
        public static final String ALERTS = "alerts";

        /** Every permission a portal session may have. */
        public static final List<String> PERMISSIONS = List.of(READ, BUDGETS, ALERTS);

        /** The customer it may see. */
        public String customerId() {
            return session.customerId();
        }

        /** The scope whose subtree alone it may see, or {@code null} for the whole customer. */
        public @Nullable String scope() {
            return session.scope();
        }

        /** Whether it has {@code permission}. */
        public boolean may(String permission) {
            return session.permissions().contains(permission);
        }

        /** Whether it is still in force at {@code now}: not revoked, not expired. */
        boolean inForce(Instant now) {
            return session.revokedAt() == null && now.isBefore(session.expiresAt());
        }
    }

    /**
     * A CORS preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}, no body): the
     * browser sends no credential with it, and it is answered by the {@link Gate} alone.
     */
    enum Preflight implements Caller {
        INSTANCE
    }
}
