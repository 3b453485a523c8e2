package dev.tollgate.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What Tollgate accepts, defined once: the HTTP door refuses anything beyond these limits, and the journal's reader
 * accepts at least everything within them, so that a record written for an accepted request always reads back.
 *
 * <p>Design: a limit that only one side knew drifted before (the door read 500 levels of nesting, the journal 64, and
 * every start after such a request failed). The door ({@code Trees} and {@code Body} in the server) and the journal
 * codec's reader ({@link dev.tollgate.core.json.Json}) both read their settings here, and the contract suite {@code
 * LimitsContract} writes every kind of record at these limits, restarts on the same store and verifies it.
 *
 * <p>Thread-safe: stateless.
 */
public final class Limits {
    /** The most containers (objects and arrays) nested in one request body: {@code {}} is 1, {@code {"a":[1]}} 2. */
    public static final int MAX_DEPTH = 32;

    /**
     * The most containers nested in one stored JSON payload that the reader accepts: a request's tree sits at most a
     * few levels down in its record (a catalog document is one level down), and records written before these limits
     * nested up to 65.
     */
    public static final int STORED_DEPTH = 128;

    /** The most digits a number may have before the decimal point (so below {@code 1e40} in absolute value). */
    public static final int MAX_INTEGER_DIGITS = 40;

    /** The most digits a number may have after the decimal point, trailing zeros aside (so {@code 1e-40} at least). */
    public static final int MAX_FRACTION_DIGITS = 40;

    /** The longest named string field of a request (a name, a URL, a secret), in UTF-16 code units. */
    public static final int MAX_STRING_LENGTH = 4096;

    /** The longest id (customer, feature, scope, ...), in characters. */
    public static final int MAX_ID_LENGTH = 128;

    /** The longest idempotency key, in UTF-16 code units. */
    public static final int MAX_KEY_LENGTH = 255;

    /** The most attribution dimensions on one request. */
    public static final int MAX_DIMENSIONS = 32;

    /** The longest dimension name or value, in UTF-16 code units. */
    public static final int MAX_DIMENSION_LENGTH = 256;

    /** The earliest instant a request may carry: the epoch. */
    public static final Instant MIN_INSTANT = Instant.EPOCH;

    /** The latest instant a request may carry: the end of year 9999, the last one ISO-8601 writes in four digits. */
    public static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private Limits() {}

    /**
     * Tells whether a number is within {@link #MAX_INTEGER_DIGITS} and {@link #MAX_FRACTION_DIGITS}, without any
     * arithmetic that grows with its exponent: {@code 1e1000000000} is refused from its scale and precision alone.
     * The cost is bounded by the number of digits written.
     */
    public static boolean fits(BigDecimal value) {
        if (value.signum() == 0) {
            return true;
        }
        long integerDigits = (long) value.precision() - value.scale();
        if (integerDigits > MAX_INTEGER_DIGITS) {
            return false;
        }
        if (value.scale() <= MAX_FRACTION_DIGITS) {
            return true;
        }
        if (-integerDigits >= MAX_FRACTION_DIGITS) {
            return false;
        }
        return value.stripTrailingZeros().scale() <= MAX_FRACTION_DIGITS;
    }

    /**
     * Tells whether a string can be stored as it is: well-formed UTF-16 (every surrogate in a pair, so that it encodes
     * to UTF-8 without a replacement character) and free of U+0000 (which PostgreSQL's {@code text} cannot hold).
     */
    public static boolean storable(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** Tells whether an instant is within {@link #MIN_INSTANT} and {@link #MAX_INSTANT}. */
    public static boolean fits(Instant t) {
        return !t.isBefore(MIN_INSTANT) && !t.isAfter(MAX_INSTANT);
    }

    /**
     * Prefixes of the idempotency keys the engine makes itself (a void, a refund, a session's close, a webhook
     * delivery): a caller's key may not start with one, so that it never takes the place of such a key.
     */
    public static final List<String> RESERVED_KEY_PREFIXES = List.of("void:", "refund:", "close:", "delivered:");

    /** Tells whether a caller's idempotency key starts with one of {@link #RESERVED_KEY_PREFIXES}. */
    public static boolean reservedKey(String key) {
        for (String prefix : RESERVED_KEY_PREFIXES) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
