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

    /**
     * A bound on the journal's {@code at} column that a query compares with: the instant's whole second, in the form
     * the column holds (the records of that second compare on the same side of it whatever their fraction). Callers
     * widen their range to whole seconds with it and filter the decoded records exactly.
     */
    Object secondBound(java.time.Instant wholeSecond);

    /**
     * What follows a text column in a comparison or an ordering so that text compares by its bytes (ids are ASCII):
     * empty where that is the database's default.
     */
    String byteOrder();

    /** What ends a {@code SELECT} that claims rows another transaction may be claiming: skip the rows it locked. */
    String skipLocked();
}
