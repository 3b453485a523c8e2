package dev.tollgate.client;

import java.math.BigDecimal;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Decisions made in this process: from a cached entitlement ({@link Source#CACHE}) and from fallback values
 * ({@link Source#FALLBACK}, with the per-customer counts that cap a fallback's {@code limit} while the server is
 * unreachable). Thread-safe.
 */
final class LocalAnswers {
    /**
     * A boolean feature's two answers from the cache. A decision is immutable and these carry nothing of the customer,
     * so every boolean check answered from the cache returns one of them: it allocates nothing.
     */
    private static final Decision CACHED_ON = plain(true, null, null, null, Source.CACHE);

    private static final Decision CACHED_OFF = plain(false, "NOT_ENTITLED", null, null, Source.CACHE);

    private final Fallback fallback;
    private final ConcurrentHashMap<String, BigDecimal> fallbackUsed = new ConcurrentHashMap<>();
    private volatile boolean fallbackInUse;

    LocalAnswers(Fallback fallback) {
        this.fallback = fallback;
    }

    /** The server answered: fallback counts start again at the next outage. */
    void serverAnswered() {
        if (fallbackInUse) {
            fallbackInUse = false;
            fallbackUsed.clear();
        }
    }

    /**
     * A check answered from a boolean or config entitlement; with {@code stale}, from a metered one's figures too.
     *
     * @return the decision, or {@code null} when the entitlement cannot answer it
     */
    static @Nullable Decision fromEntitlement(Entitlement e, @Nullable BigDecimal quantity, boolean stale) {
        switch (e.type()) {
            case "boolean" -> {
                return Boolean.TRUE.equals(e.enabled()) ? CACHED_ON : CACHED_OFF;
            }
            case "config" -> {
                BigDecimal value = e.value();
                boolean fits = quantity == null || value == null || quantity.compareTo(value) <= 0;
                return plain(fits, fits ? null : "LIMIT_EXCEEDED", value, null, Source.CACHE);
            }
            case "metered" -> {
                return stale ? fromFigures(e, quantity) : null;
            }
            default -> {
                return null;
            }
        }
    }

    private static Decision fromFigures(Entitlement e, @Nullable BigDecimal quantity) {
        BigDecimal remaining = e.remaining();
        boolean soft = "soft".equals(e.enforcement());
        boolean fits = e.unlimited()
                || remaining == null
                || (quantity == null ? remaining.signum() > 0 : quantity.compareTo(remaining) <= 0);
        boolean allowed = fits || soft;
        return new Decision(
                allowed,
                allowed ? null : "LIMIT_EXCEEDED",
                allowed ? null : new BoundBy("feature", e.feature(), null, null, null, null),
                e.limit(),
                e.used() == null ? BigDecimal.ZERO : e.used(),
                e.held() == null ? BigDecimal.ZERO : e.held(),
                remaining,
                e.unlimited(),
                !fits,
                null,
                e.resetsAt(),
                null,
                null,
                null,
                null,
                null,
                Source.CACHE);
    }

    /** A check while the server is unreachable and nothing is cached. */
    Decision fallbackCheck(CheckRequest r) {
        FallbackValue v = fallback.forFeature(r.feature());
        if (!v.allowed()) {
            return plain(false, "UNAVAILABLE", null, null, Source.FALLBACK);
        }
        BigDecimal limit = v.limit();
        if (limit == null) {
            return plain(true, null, null, null, Source.FALLBACK);
        }
        BigDecimal used = fallbackUsed.getOrDefault(key(r.customerId(), r.feature()), BigDecimal.ZERO);
        BigDecimal asked = r.quantity() == null ? BigDecimal.ZERO : r.quantity();
        boolean fits = r.quantity() == null
                ? used.compareTo(limit) < 0
                : used.add(asked).compareTo(limit) <= 0;
        return limited(fits, limit, used, null);
    }

    /**
     * A consume while the server is unreachable and no lease has room; an admitted one counts against the fallback's
     * limit (the caller reports its usage).
     */
    Decision fallbackConsume(ConsumeRequest r) {
        FallbackValue v = fallback.forFeature(r.feature());
        if (!v.allowed()) {
            return plain(false, "UNAVAILABLE", null, null, Source.FALLBACK);
        }
        fallbackInUse = true;
        BigDecimal limit = v.limit();
        String key = key(r.customerId(), r.feature());
        if (limit == null) {
            fallbackUsed.merge(key, r.quantity(), BigDecimal::add);
            return plain(true, null, null, Boolean.FALSE, Source.FALLBACK);
        }
        boolean[] fits = new boolean[1];
        BigDecimal used = fallbackUsed.compute(key, (k, before) -> {
            BigDecimal b = before == null ? BigDecimal.ZERO : before;
            fits[0] = b.add(r.quantity()).compareTo(limit) <= 0;
            return fits[0] ? b.add(r.quantity()) : b;
        });
        return limited(fits[0], limit, used, Boolean.FALSE);
    }

    private static Decision limited(boolean fits, BigDecimal limit, BigDecimal used, @Nullable Boolean recorded) {
        return new Decision(
                fits,
                fits ? null : "LIMIT_EXCEEDED",
                null,
                limit,
                used,
                BigDecimal.ZERO,
                limit.subtract(used).max(BigDecimal.ZERO),
                false,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                recorded,
                Source.FALLBACK);
    }

    private static Decision plain(
            boolean allowed,
            @Nullable String reason,
            @Nullable BigDecimal value,
            @Nullable Boolean recorded,
            Source s) {
        return new Decision(
                allowed,
                reason,
                null,
                null,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                null,
                false,
                false,
                null,
                null,
                value,
                null,
                null,
                null,
                recorded,
                s);
    }

    private static String key(String customerId, String feature) {
        return customerId + '\n' + feature;
    }
}
