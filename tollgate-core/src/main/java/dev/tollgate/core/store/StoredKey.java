package dev.tollgate.core.store;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An API key as the store keeps it: never the key itself, only its SHA-256 digest.
 *
 * @param id the key's id ({@code key_...}), unique
 * @param kind {@code secret} or {@code publishable}
 * @param name what the operator called it, 1 to 200 characters
 * @param prefix the key's first characters, shown in lists so that a key can be recognised without being shown
 * @param digest the SHA-256 digest of the whole key, in lower-case hex (64 characters), unique
 * @param sealedSigningSecret a publishable key's signing secret (what customer tokens are signed with), sealed
 *     (encrypted) under a key derived from the publishable key, so that the database alone does not give it; {@code
 *     null} for a secret key
 * @param createdAt when it was created
 * @param revokedAt when it was revoked, or {@code null} while it is in force
 */
public record StoredKey(
        String id,
        String kind,
        String name,
        String prefix,
        String digest,
        @Nullable String sealedSigningSecret,
        Instant createdAt,
        @Nullable Instant revokedAt) {

    /** The kind of a key with every right. */
    public static final String SECRET = "secret";

    /** The kind of a key that may only read one customer's entitlements from a browser. */
    public static final String PUBLISHABLE = "publishable";

    public StoredKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!SECRET.equals(kind) && !PUBLISHABLE.equals(kind)) {
            throw new IllegalArgumentException("kind must be secret or publishable, was " + kind);
        }
        requireDigest(digest);
        if (PUBLISHABLE.equals(kind) != (sealedSigningSecret != null)) {
            throw new IllegalArgumentException("a publishable key has a signing secret, a secret key none: " + id);
        }
    }

    /** This key, revoked at {@code at}. */
    public StoredKey revoked(Instant at) {
        return new StoredKey(id, kind, name, prefix, digest, sealedSigningSecret, createdAt, at);
    }

    static void requireDigest(String digest) {
        if (digest == null || !digest.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a digest is 64 lower-case hex digits");
        }
    }
}
