package dev.tollgate.core.store;

import dev.tollgate.core.billing.ExportItem;
import dev.tollgate.core.billing.OutboxEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The store's durable outbox of {@link ExportItem}s for a billing provider, and the exporter's few settings. It
 * survives restarts, and several servers on one store share it: an item is claimed by one sender at a time.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #enqueue} adds items whose id the outbox does not hold, and leaves those it holds as they are, so that
 *       enqueuing the same items twice (two servers, a restart in the middle) adds each once.
 *   <li>{@link #claim} hands out pending items that are due and not claimed by another sender whose claim still
 *       runs, and claims them for {@code lease}; concurrent claims never hand out the same item.
 *   <li>{@link #settle} records what became of a claimed item, only while the claim is the caller's: a sender whose
 *       claim ran out and was taken over changes nothing.
 * </ul>
 *
 * <p>Times are the caller's clock. Implementations are thread-safe.
 */
public interface ExportOutbox {

    /**
     * Adds the items it does not hold yet, as pending and due at {@code now}.
     *
     * @return how many were added
     * @throws StoreException if the store cannot be written
     */
    int enqueue(List<ExportItem> items, Instant now);

    /**
     * Claims up to {@code max} pending items due at {@code now} (not claimed, or claimed until no later than {@code
     * now}), oldest due first, for {@code claimer} until {@code now + lease}.
     *
     * @throws StoreException if the store cannot be written
     */
    List<OutboxEntry> claim(String claimer, Instant now, Duration lease, int max);

    /**
     * Settles a claimed item: {@link OutboxEntry.Status#PENDING} again, due at {@code nextAttemptAt}, one attempt more
     * (a failure that may pass); or {@code SENT}, {@code FAILED}, {@code SKIPPED} for good. Releases the claim.
     *
     * @param result the provider's answer (an object id), or {@code null}
     * @param error why it failed or was skipped, or {@code null}
     * @return whether the claim was still {@code claimer}'s (else nothing changed)
     * @throws StoreException if the store cannot be written
     */
    boolean settle(
            String id,
            String claimer,
            OutboxEntry.Status status,
            Instant at,
            Instant nextAttemptAt,
            @Nullable String result,
            @Nullable String error);

    /**
     * Items in the order of their ids, a page at a time.
     *
     * @param status only these, or {@code null} for all
     * @param afterId only ids after this one, or {@code null}
     * @throws StoreException if the store cannot be read
     */
    List<OutboxEntry> entries(OutboxEntry.@Nullable Status status, @Nullable String afterId, int limit);

    /**
     * An exporter setting, or {@code null}.
     *
     * @throws StoreException if the store cannot be read
     */
    @Nullable
    String setting(String key);

    /**
     * Sets an exporter setting; with {@code onlyIfAbsent}, only if it has none.
     *
     * @return the setting's value afterwards
     * @throws StoreException if the store cannot be written
     */
    String putSetting(String key, String value, boolean onlyIfAbsent);
}
