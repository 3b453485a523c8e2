package dev.tollgate.store.jdbc;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What a SQL store's database does differently from another's, where {@link JournalReads} needs to know. The write
 * statements (insert shapes, upserts) differ too much to share and stay in each store. Implementations are stateless
 * and thread-safe.
 */
public interface Dialect {

    /**
     * Reads an exact decimal column ({@code counters.used}, {@code counters.overage}).
     *
     * @param column the 1-based column index
     * @throws SQLException if the column cannot be read
     */
    BigDecimal decimal(ResultSet rs, int column) throws SQLException;

    /**
     * Whether an error of a failed batch is the database refusing a record by a constraint or a value it cannot hold
     * (a batch that would be refused again), rather than a fault.
     */
    boolean refused(Exception error);
}
