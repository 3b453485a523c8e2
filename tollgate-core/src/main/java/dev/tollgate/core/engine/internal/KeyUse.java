package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Limits;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.journal.UsageSource;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.json.Json;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What an idempotency key was used for: the kind of command, and a fingerprint of the request's meaningful content.
 *
 * <p>Rule: a key's first record decides. A repeat of the same kind with the same fingerprint replays the first answer;
 * anything else (another endpoint, or the same endpoint with other content) is {@code IDEMPOTENCY_KEY_REUSED}. Keys
 * are per customer, like the store's unique index on customer and key.
 *
 * <p>Kind: derived from the record type ({@link #kindOf}), so records written before fingerprints were kept have one
 * too. Fingerprint: the first 96 bits of the SHA-256 of the normalised request ({@link #fingerprint}: fields in a fixed
 * order, decimals without trailing zeros, objects with sorted names), base64url, kept in the record's {@code request}
 * ({@link JournalEntry#request}). A record without one was written by an older build: the engine then compares what
 * the record holds (a consume's feature and quantity, a grant's currency and amount, ...).
 *
 * <p>Keys the engine makes itself ({@code void:<grant>}, {@code refund:<key>}, {@code close:<session>}, {@code
 * delivered:...}) name what they are for; a caller's key may not start with their prefixes ({@link
 * Limits#RESERVED_KEY_PREFIXES}), so the two never meet.
 *
 * <p>Thread-safe: stateless.
 */
final class KeyUse {
    /** The command a key was used for. */
    enum Kind {
        CUSTOMER,
        SUBSCRIPTION,
        PROMOTION,
        CONSUME,
        EVENT,
        GRANT,
        SESSION_OPEN,
        SESSION_CLOSE,
        VOID,
        REFUND,
        DELIVERY
    }

    /**
     * What a request uses its key for: its command, its {@link #fingerprint}, and, for a first record written without
     * a fingerprint, whether what that record holds matches the request.
     */
    record Use(Kind kind, String print, Predicate<JournalEntry> legacy) {}

    /** Why a reserved key is refused. */
    static final String RESERVED_MESSAGE =
            "idempotency keys starting with " + String.join(", ", Limits.RESERVED_KEY_PREFIXES) + " are reserved";

    /** One digest per thread, rather than a provider lookup per request. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private KeyUse() {}

    /**
     * Refuses a caller's key that could be taken for one the engine makes.
     *
     * @throws TollgateException {@code INVALID_IDEMPOTENCY_KEY} for a key starting with a reserved prefix
     */
    static void requireCallerKey(@Nullable String key) {
        if (key != null && Limits.reservedKey(key)) {
            throw TollgateException.invalid("INVALID_IDEMPOTENCY_KEY", RESERVED_MESSAGE, "idempotencyKey");
        }
    }

    /** The kind of command a keyed record was written for, or {@code null} if no command writes it with a key. */
    static @Nullable Kind kindOf(JournalEntry e) {
        if (e instanceof JournalEntry.CustomerUpserted) {
            return Kind.CUSTOMER;
        } else if (e instanceof JournalEntry.SubscriptionSet) {
            return Kind.SUBSCRIPTION;
        } else if (e instanceof JournalEntry.PromotionGranted) {
            return Kind.PROMOTION;
        } else if (e instanceof JournalEntry.UsageRecorded u) {
            return u.source() == UsageSource.CONSUME ? Kind.CONSUME : Kind.EVENT;
        } else if (e instanceof JournalEntry.ConsumptionDenied) {
            return Kind.CONSUME;
        } else if (e instanceof JournalEntry.GrantCreated) {
            return Kind.GRANT;
        } else if (e instanceof JournalEntry.SessionOpened) {
            return Kind.SESSION_OPEN;
        } else if (e instanceof JournalEntry.SessionClosed) {
            return Kind.SESSION_CLOSE;
        } else if (e instanceof JournalEntry.CreditsMoved c) {
            return c.type() == EntryType.VOID ? Kind.VOID : c.type() == EntryType.REFUND ? Kind.REFUND : null;
        } else if (e instanceof JournalEntry.AlertDelivered) {
            return Kind.DELIVERY;
        }
        return null;
    }

    /**
     * Tells whether {@code prior}, the first record of a key, was written for this request.
     *
     * @param kind the command of this request
     * @param print this request's {@link #fingerprint}
     * @param legacy for a record without a fingerprint: whether what it holds matches this request
     */
    static boolean same(JournalEntry prior, Kind kind, String print, Predicate<JournalEntry> legacy) {
        if (kindOf(prior) != kind) {
            return false;
        }
        String stored = prior.request();
        return stored != null ? stored.equals(print) : legacy.test(prior);
    }

    /**
     * Refuses a key whose first record was written for another request.
     *
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} (409) unless {@link #same}
     */
    static void requireSame(JournalEntry prior, Kind kind, String print, Predicate<JournalEntry> legacy) {
        if (!same(prior, kind, print, legacy)) {
            throw reused();
        }
    }

    /**
     * Refuses a key the engine made itself ({@code void:<grant>}, ...) whose first record is of another kind: only a
     * caller's key written before such keys were reserved can be.
     *
     * @throws TollgateException {@code IDEMPOTENCY_KEY_REUSED} (409)
     */
    static void requireKind(JournalEntry prior, Kind kind) {
        if (kindOf(prior) != kind) {
            throw reused();
        }
    }

    /** The refusal of a key used before for another request. */
    static TollgateException reused() {
        return TollgateException.conflict(
                "IDEMPOTENCY_KEY_REUSED",
                "this idempotency key was already used for a different request",
                "idempotencyKey");
    }

    /**
     * The fingerprint of a request: its kind and meaningful fields, in the order given, normalised.
     *
     * @param fields the request's fields: strings, decimals, whole numbers, booleans, instants, durations, JSON trees
     *     and lists of these, or {@code null}
     */
    static String fingerprint(Kind kind, @Nullable Object... fields) {
        List<@Nullable Object> tree = new ArrayList<>(fields.length + 1);
        tree.add(kind.name());
        for (Object f : fields) {
            tree.add(normalise(f));
        }
        byte[] digest = SHA_256.get().digest(Json.writeBytes(tree));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
    }

    private static @Nullable Object normalise(@Nullable Object value) {
        if (value instanceof Instant t) {
            return IsoInstant.format(t);
        } else if (value instanceof Duration d) {
            return d.toString();
        } else if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), normalise(v)));
            return sorted;
        } else if (value instanceof List<?> list) {
            List<@Nullable Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(normalise(v)));
            return out;
        } else if (value instanceof BigDecimal
                || value instanceof String
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Boolean
                || value == null) {
            return value;
        }
        throw new IllegalArgumentException(
                "no fingerprint for " + value.getClass().getName());
    }
}
