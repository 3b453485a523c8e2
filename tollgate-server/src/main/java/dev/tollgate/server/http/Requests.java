package dev.tollgate.server.http;

import dev.tollgate.core.store.CommitInDoubtException;
import dev.tollgate.core.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * What every route family reads a request with: the body, path ids, query parameters, page cursors, and the wait for a
 * write's commit.
 *
 * <p>Waiting: a blocking route waits at most {@value #WRITE_TIMEOUT_SECONDS} s for the engine's future. A commit
 * still unfinished then may yet be stored, so it is {@link CommitInDoubtException} ({@code 504 COMMIT_IN_DOUBT}); a
 * commit that failed is the store's exception ({@code 503 STORE_UNAVAILABLE} when nothing was stored). The API
 * ({@code api/HttpApi}) maps each to its answer.
 *
 * <p>Thread-safe: stateless.
 */
public final class Requests {
    /** How long a write waits for its commit before it is answered {@code 504 COMMIT_IN_DOUBT}. */
    public static final long WRITE_TIMEOUT_SECONDS = 30;

    /** The largest page of a paginated list. */
    public static final int MAX_LEDGER_PAGE = 1000;

    private Requests() {}

    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the commit", e);
        } catch (TimeoutException e) {
            // still queued or committing: it may yet be stored, so this is no "not stored"
            throw new CommitInDoubtException("the commit did not finish within " + WRITE_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("commit failed", cause == null ? e : cause);
        }
    }

    public static Body body(ApiRequest ctx) {
        return Body.of(Trees.json(ctx.bodyAsBytes()));
    }

    public static String customerId(ApiRequest ctx) {
        String id = ctx.pathParam("customerId");
        Body.checkId(id, "customerId");
        return id;
    }

    public static String actor(ApiRequest ctx) {
        String actor = ctx.header("X-Tollgate-Actor");
        return actor == null || actor.isBlank() ? "api" : actor.substring(0, Math.min(actor.length(), 128));
    }

    public static String pathId(ApiRequest ctx, String name) {
        String id = ctx.pathParam(name);
        Body.checkId(id, name);
        return id;
    }

    public static int queryInt(ApiRequest ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw ApiException.badRequest("OUT_OF_RANGE", name + " must be between " + min + " and " + max, name);
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("INVALID_QUERY", name + " must be a whole number", name);
        }
    }

    public static Instant queryInstant(ApiRequest ctx, String name, Instant fallback) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            return Instant.parse(raw);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(
                    "INVALID_QUERY", name + " must be an ISO-8601 instant like 2026-03-08T00:00:00Z", name);
        }
    }

    /** {@code limit} of a paginated list: 1..{@value #MAX_LEDGER_PAGE}, 100 when absent. */
    public static int pageLimit(ApiRequest ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return 100;
        }
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LEDGER_PAGE) {
            throw ApiException.badRequest(
                    "INVALID_QUERY", "limit must be a whole number in 1.." + MAX_LEDGER_PAGE, "limit");
        }
        return limit;
    }

    /** The id a page of a list ordered by id starts after, from its opaque {@code cursor}; {@code null} without. */
    public static @Nullable String pageAfter(ApiRequest ctx) {
        String cursor = ctx.queryParam("cursor");
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(java.util.Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith("id:") && Body.isId(text.substring(3))) {
                return text.substring(3);
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw ApiException.badRequest("INVALID_CURSOR", "cursor is not one this server gave", "cursor");
    }

    /** The opaque cursor of the page after {@code id}. */
    public static String cursorAfter(String id) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("id:" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code format} of an export: {@code csv} (default) or {@code json}. */
    public static String exportFormat(ApiRequest ctx) {
        String format = ctx.queryParam("format") == null ? "csv" : ctx.queryParam("format");
        if (!format.equals("csv") && !format.equals("json")) {
            throw ApiException.badRequest("INVALID_QUERY", "format must be 'csv' or 'json'", "format");
        }
        return format;
    }
}
