package dev.tollgate.core.api;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Creates or updates a customer's profile.
 *
 * @param name display name, or {@code null}
 * @param metadata free-form metadata in the JSON tree model
 * @param timeZone an IANA zone id for the customer's reset windows, or {@code null} for UTC
 */
public record CustomerUpdate(
        @Nullable String name,
        Map<String, Object> metadata,
        @Nullable String timeZone) {}
