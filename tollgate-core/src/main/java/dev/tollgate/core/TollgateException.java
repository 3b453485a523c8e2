package dev.tollgate.core;

import org.jspecify.annotations.Nullable;

/**
 * A request the engine refuses before changing anything: bad input, an unknown object, a conflict, or a store that is
 * unavailable. Carries a stable {@link #code()} and, where one is to blame, the offending {@link #field()}.
 */
public final class TollgateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The family of the refusal; the HTTP layer maps each to a status. */
    public enum Kind {
        INVALID,
        NOT_FOUND,
        CONFLICT,
        UNAVAILABLE
    }

    private final Kind kind;
    private final String code;
    private final @Nullable String field;

    /**
     * @param kind the family
     * @param code a stable upper-case code ({@code PLAN_NOT_FOUND})
     * @param message human text
     * @param field the offending field's path, or {@code null}
     */
    public TollgateException(Kind kind, String code, String message, @Nullable String field) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.field = field;
    }

    public static TollgateException invalid(String code, String message, @Nullable String field) {
        return new TollgateException(Kind.INVALID, code, message, field);
    }

    public static TollgateException notFound(String code, String message, @Nullable String field) {
        return new TollgateException(Kind.NOT_FOUND, code, message, field);
    }

    public static TollgateException conflict(String code, String message, @Nullable String field) {
        return new TollgateException(Kind.CONFLICT, code, message, field);
    }

    /** The family of the refusal. */
    public Kind kind() {
        return kind;
    }

    /** The stable code. */
    public String code() {
        return code;
    }

    /** The offending field's path, or {@code null}. */
    public @Nullable String field() {
        return field;
    }
}
