package dev.tollgate.server.sidecar;

import dev.tollgate.client.Fallback;
import dev.tollgate.client.FallbackValue;
import dev.tollgate.server.http.ApiException;
import dev.tollgate.server.http.Body;
import dev.tollgate.server.http.Trees;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The sidecar's {@code --fallback} file: JSON,
 * {@code {"default": "closed" | "open", "features": {"<feature>": {"allowed": true|false, "limit": N}}}}, read into
 * the SDK's {@link Fallback} ({@code docs/sidecar.md}). {@code default} is {@code closed} when absent; {@code limit}
 * (whole units, only with {@code allowed: true}) caps what the fallback admits per customer.
 *
 * <p>Thread-safe: stateless.
 */
public final class FallbackFile {
    private FallbackFile() {}

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong in it
     */
    public static Fallback read(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the fallback file " + file + ": " + e.getMessage(), e);
        } catch (ApiException e) {
            throw new IllegalArgumentException("fallback file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The fallback of a file's bytes; {@link ApiException} names the wrong field. */
    static Fallback parse(byte[] json) {
        Body b = Body.of(Trees.json(json)).allowOnly("default", "features");
        String mode = b.optString("default");
        Fallback fallback;
        if (mode == null || mode.equals("closed")) {
            fallback = Fallback.failClosed();
        } else if (mode.equals("open")) {
            fallback = Fallback.failOpen();
        } else {
            throw ApiException.badRequest("INVALID_VALUE", "default must be \"open\" or \"closed\"", "default");
        }
        for (Map.Entry<String, Object> e : b.freeObject("features").entrySet()) {
            String path = "features." + e.getKey();
            Body.checkId(e.getKey(), path);
            fallback = fallback.with(e.getKey(), value(Body.object(e.getValue(), path), path));
        }
        return fallback;
    }

    private static FallbackValue value(Body v, String path) {
        v.allowOnly("allowed", "limit");
        Boolean allowed = v.optBoolean("allowed");
        if (allowed == null) {
            throw v.missing("allowed");
        }
        BigDecimal limit = v.optQuantity("limit", false);
        if (limit == null) {
            return allowed ? FallbackValue.allow() : FallbackValue.deny();
        }
        if (!allowed || limit.stripTrailingZeros().scale() > 0) {
            throw ApiException.badRequest(
                    "INVALID_VALUE", path + ".limit must be whole units, with allowed: true", path + ".limit");
        }
        return FallbackValue.allowUpTo(limit.longValueExact());
    }
}
