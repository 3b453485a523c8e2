package dev.tollgate.store.jdbc;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.store.CounterValue;
import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.Store;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What the JDBC stores share: every read of the journal and the counters, through {@link JournalReads} over the
 * store's own {@link #query}, and the credentials ({@link JdbcCredentials}) over its {@link #query} and {@link
 * #update}. A store adds its connections, its append (how it commits and resolves a failed commit
 * differs) and its usage queries.
 *
 * <p>Thread-safe if {@link #query} is.
 */
public abstract class JdbcStore implements Store {
    /** The shared reads, over this store's {@link #query}. */
    protected final JournalReads reads;

    private final JdbcCredentials credentials;
    private final BillingReads billing;
    private final JdbcOutbox outbox;

    /** @param dialect what the store's database does differently */
    protected JdbcStore(Dialect dialect) {
        this.reads = new JournalReads(this::query, dialect);
        this.credentials = new JdbcCredentials(this::query, this::update);
        this.billing = new BillingReads(this::query, dialect);
        this.outbox = new JdbcOutbox(this::inTransaction, dialect);
    }

    /**
     * Runs work on a writable connection of this store (never the journal's writer) in one transaction, committed
     * when it returns and rolled back when it throws.
     *
     * @throws dev.tollgate.core.store.StoreException if the store cannot be written
     */
    protected abstract <T> T inTransaction(JdbcOutbox.Work<T> work);

    @Override
    public final List<JournalEntry> billingEntries(String customerId, java.time.Instant from, java.time.Instant to) {
        return billing.billingEntries(customerId, from, to);
    }

    @Override
    public final List<String> customerIds(@Nullable String after, int limit) {
        return billing.customerIds(after, limit);
    }

    @Override
    public final JournalEntry.@Nullable CustomerUpserted profile(String customerId) {
        return billing.profile(customerId);
    }

    @Override
    public final dev.tollgate.core.store.ExportOutbox outbox() {
        return outbox;
    }

    /**
     * Runs a read-only query on the store's connections, streaming its rows to {@code rows}.
     *
     * @param parameters bound in order with {@link java.sql.PreparedStatement#setObject}
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read
     */
    protected abstract void query(String sql, JournalReads.RowReader rows, Object... parameters);

    /**
     * Runs one statement that writes, in a transaction of its own, committed when it returns: see {@link
     * JdbcCredentials.Updates}.
     *
     * @throws dev.tollgate.core.store.RecordRefusedException if a constraint refused it; nothing was written
     * @throws dev.tollgate.core.store.StoreException if it could not be written
     */
    protected abstract int update(String sql, JdbcCredentials.Binder binder);

    @Override
    public final CredentialStore credentials() {
        return credentials;
    }

    @Override
    public final void replay(Consumer<JournalEntry> visitor) {
        reads.replay(visitor);
    }

    @Override
    public final List<JournalEntry> entries(String customerId) {
        return reads.entries(customerId);
    }

    @Override
    public final List<JournalEntry> catalogEntries() {
        return reads.catalogEntries();
    }

    @Override
    public final @Nullable JournalEntry entry(String customerId, String idempotencyKey) {
        return reads.entry(customerId, idempotencyKey);
    }

    @Override
    public final Map<String, JournalEntry> entriesByKey(String customerId, Collection<String> idempotencyKeys) {
        return reads.entriesByKey(customerId, idempotencyKeys);
    }

    @Override
    public final List<JournalEntry> besideKey(String customerId, String idempotencyKey) {
        return reads.besideKey(customerId, idempotencyKey);
    }

    @Override
    public final void counters(Consumer<CounterValue> visitor) {
        reads.counters(visitor);
    }
}
