package dev.tollgate.server.api;

import static dev.tollgate.server.http.Requests.body;
import static dev.tollgate.server.http.Requests.pathId;

import dev.tollgate.core.TollgateException;
import dev.tollgate.core.store.StoredKey;
import dev.tollgate.server.auth.Caller;
import dev.tollgate.server.auth.Keyring;
import dev.tollgate.server.auth.Secrets;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.ApiRequest;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Reply;
import dev.tollgate.server.http.RouteTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/keys}: make a secret or publishable key (shown once), list the keys (never the keys themselves: their
 * prefixes), revoke one. Operators only ({@code auth/Gate} refuses everyone else).
 *
 * <p>A new key is stored as its digest ({@link Secrets#digest}); a publishable key comes with a signing secret, shown
 * once too and stored sealed ({@link Secrets#seal}). The list shows the root key first (id {@code root}, which cannot be
 * revoked: it is configured), then the stored keys in the order they were made, revoked ones with {@code revokedAt}.
 * A creation takes no idempotency key: its answer holds a key the server cannot show again, so a replay could not be
 * answered; a client that is unsure lists the keys and revokes the one it did not get.
 *
 * <p>Thread-safe: holds only the keyring.
 */
final class KeyRoutes {
    /** The longest name of a key. */
    static final int MAX_NAME = 200;

    private final Keyring keyring;

    KeyRoutes(Keyring keyring) {
        this.keyring = keyring;
    }

    /** Adds this family's routes to {@code table}. */
    void register(RouteTable table) {
        table.route("POST", "/v1/keys", true, RouteTable.Mode.BLOCKING, this::create);
        table.route("GET", "/v1/keys", true, RouteTable.Mode.BLOCKING, this::list);
        table.route("DELETE", "/v1/keys/{keyId}", true, RouteTable.Mode.BLOCKING, this::revoke);
    }

    private Reply create(ApiRequest ctx) {
        Body b = body(ctx).allowOnly("kind", "name");
        String kind = b.requireString("kind");
        if (!kind.equals(StoredKey.SECRET) && !kind.equals(StoredKey.PUBLISHABLE)) {
            throw ApiException.badRequest("INVALID_KEY_KIND", "kind must be 'secret' or 'publishable'", "kind");
        }
        String name = b.requireString("name").strip();
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw ApiException.badRequest("INVALID_NAME", "name must be 1 to " + MAX_NAME + " characters", "name");
        }
        boolean publishable = kind.equals(StoredKey.PUBLISHABLE);
        String key = Secrets.create(publishable ? Secrets.PUBLISHABLE_KEY : Secrets.SECRET_KEY);
        String signingSecret = publishable ? Secrets.create(Secrets.SIGNING_SECRET) : null;
        StoredKey stored = new StoredKey(
                Secrets.id("key_"),
                kind,
                name,
                Secrets.shown(key),
                Secrets.digest(key),
                signingSecret == null ? null : Secrets.seal(key, signingSecret),
                keyring.now(),
                null);
        keyring.add(stored);
        Map<String, Object> body = view(stored);
        body.put("key", key);
        if (signingSecret != null) {
            body.put("signingSecret", signingSecret);
        }
        return new Reply(201, body, false);
    }

    private Reply list(ApiRequest ctx) {
        List<Object> keys = new ArrayList<>();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("id", Caller.ROOT);
        root.put("name", "root (TOLLGATE_API_KEY or the data directory's api-key)");
        root.put("kind", StoredKey.SECRET);
        root.put("prefix", null);
        root.put("createdAt", null);
        root.put("revokedAt", null);
        keys.add(root);
        keyring.store().keys().forEach(k -> keys.add(view(k)));
        return Reply.ok(Map.of("keys", keys));
    }

    private Reply revoke(ApiRequest ctx) {
        String id = pathId(ctx, "keyId");
        if (id.equals(Caller.ROOT)) {
            throw new ApiException(
                    409,
                    "KEY_NOT_REVOCABLE",
                    "the root key is configured (TOLLGATE_API_KEY or the data directory's api-key): change it there",
                    "keyId");
        }
        StoredKey key = keyring.revokeKey(id)
                .orElseThrow(() -> TollgateException.notFound("KEY_NOT_FOUND", "no key '" + id + "'", "keyId"));
        return Reply.ok(view(key));
    }

    /** A key as lists show it: never the key, never its digest. */
    static Map<String, Object> view(StoredKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("name", k.name());
        m.put("kind", k.kind());
        m.put("prefix", k.prefix());
        m.put("createdAt", k.createdAt().toString());
        m.put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
        return m;
    }
}
