package dev.tollgate.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A portal session as the store keeps it: never its token, only the token's SHA-256 digest.
 *
 * @param id the session's id ({@code ps_...}), unique
 * @param digest the SHA-256 digest of the token, in lower-case hex (64 characters), unique
 * @param customerId the one customer the session may see
 * @param scope the scope whose subtree alone it may see, or {@code null} for the whole customer
 * @param permissions what it may do beyond reading: {@code read}, {@code budgets}, {@code alerts}; not empty
 * @param createdAt when it was created
 * @param expiresAt when it stops being accepted
 * @param revokedAt when it was revoked, or {@code null}
 */
public record StoredPortalSession(
        String id,
        String digest,
        String customerId,
        @Nullable String scope,
        List<String> permissions,
        Instant createdAt,
        Instant expiresAt,
        @Nullable Instant revokedAt) {

    public StoredPortalSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(customerId, "customerId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        StoredKey.requireDigest(digest);
        permissions = List.copyOf(permissions);
        if (permissions.isEmpty()) {
            throw new IllegalArgumentException("a portal session has at least one permission");
        }
        for (String p : permissions) {
            if (p.isEmpty() || p.contains(",")) {
                throw new IllegalArgumentException("a permission is a word, was '" + p + "'");
            }
        }
    }

    /** This session, revoked at {@code at}. */
    public StoredPortalSession revoked(Instant at) {
        return new StoredPortalSession(id, digest, customerId, scope, permissions, createdAt, expiresAt, at);
    }
}
