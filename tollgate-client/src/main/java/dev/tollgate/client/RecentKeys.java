package dev.tollgate.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency keys of consumes admitted locally, with their answers, so that a repeated key answers the first
 * answer as the server would, and the keys sent to the server ({@link #SENT}), so that their repeats go there again
 * (the server answers them, even when the first answer was lost) instead of being admitted against a lease. Bounded:
 * the oldest keys are forgotten first. A key being decided is claimed, so that a concurrent repeat waits for the first
 * decision instead of admitting twice.
 *
 * <p>Thread-safe.
 */
final class RecentKeys {
    private final ConcurrentHashMap<String, CompletableFuture<@Nullable Decision>> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;

    /** The answer of a key sent to the server: a repeat goes there too. Compared by identity. */
    static final Decision SENT = new Decision(
            false,
            "SENT",
            null,
            null,
            java.math.BigDecimal.ZERO,
            java.math.BigDecimal.ZERO,
            null,
            false,
            false,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            Source.SERVER);

    RecentKeys(int max) {
        this.max = max;
    }

    /**
     * Claims {@code key} with {@code mine}: returns {@code null} when the caller holds it now (and must {@link
     * #complete} it), else the earlier claim's answer ({@code null} inside when that one was not decided locally).
     */
    @Nullable
    CompletableFuture<@Nullable Decision> claim(String key, CompletableFuture<@Nullable Decision> mine) {
        return answers.putIfAbsent(key, mine);
    }

    /** Settles the caller's claim: a local answer is remembered, none releases the key. */
    void complete(String key, CompletableFuture<@Nullable Decision> mine, @Nullable Decision answer) {
        mine.complete(answer);
        if (answer == null) {
            answers.remove(key, mine);
            return;
        }
        remember(key);
    }

    /** {@code key} is being sent to the server: its repeats go there too. */
    void sent(String key) {
        if (answers.putIfAbsent(key, CompletableFuture.completedFuture(SENT)) == null) {
            remember(key);
        }
    }

    private void remember(String key) {
        order.add(key);
        if (size.incrementAndGet() > max) {
            String oldest = order.poll();
            if (oldest != null) {
                answers.remove(oldest);
                size.decrementAndGet();
            }
        }
    }
}
