package dev.tollgate.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Fallback values per feature and a default for the others: fail-open ({@link #failOpen()}) or fail-closed
 * ({@link #failClosed()}). Used only on a cold miss (nothing cached about the customer) while the server is
 * unreachable (connection refused, timeout, or {@code 5xx} such as {@code STORE_UNAVAILABLE}); the answer then says
 * {@link Source#FALLBACK}. Immutable and thread-safe.
 *
 * <pre>{@code
 * Fallback fallback = Fallback.failClosed()
 *         .with("sso", FallbackValue.allow())
 *         .with("ai-queries", FallbackValue.allowUpTo(20));
 * }</pre>
 */
public final class Fallback {
    private final FallbackValue otherwise;
    private final Map<String, FallbackValue> features;

    private Fallback(FallbackValue otherwise, Map<String, FallbackValue> features) {
        this.otherwise = otherwise;
        this.features = Map.copyOf(features);
    }

    /** Every feature without its own value is refused (reason {@code UNAVAILABLE}). The SDK's default. */
    public static Fallback failClosed() {
        return new Fallback(FallbackValue.deny(), Map.of());
    }

    /** Every feature without its own value is admitted, without a cap. */
    public static Fallback failOpen() {
        return new Fallback(FallbackValue.allow(), Map.of());
    }

    /** This fallback with {@code value} for {@code feature}; never {@code null}. */
    public Fallback with(String feature, FallbackValue value) {
        Args.id(feature, "feature");
        Map<String, FallbackValue> next = new HashMap<>(features);
        next.put(feature, Objects.requireNonNull(value, "value"));
        return new Fallback(otherwise, next);
    }

    /** The value for {@code feature}: its own, else the default. Never {@code null}. */
    public FallbackValue forFeature(String feature) {
        return features.getOrDefault(feature, otherwise);
    }
}
