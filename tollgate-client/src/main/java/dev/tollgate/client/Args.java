package dev.tollgate.client;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/** Argument checks shared by the request records; each names the culprit. Stateless. */
final class Args {
    private Args() {}

    static void id(@Nullable String value, String name) {
        if (value == null || value.isBlank() || value.length() > 128) {
            throw new IllegalArgumentException(name + " must be 1 to 128 characters, not blank: " + value);
        }
    }

    static void key(@Nullable String value, String name) {
        if (value == null || value.isBlank() || value.length() > 255) {
            throw new IllegalArgumentException(name + " must be 1 to 255 characters, not blank: " + value);
        }
    }

    static void quantity(@Nullable BigDecimal value, String name) {
        if (value != null && value.signum() < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }

    static void positive(@Nullable BigDecimal value, String name) {
        if (value == null || value.signum() <= 0) {
            throw new IllegalArgumentException(name + " must be above 0: " + value);
        }
    }
}
