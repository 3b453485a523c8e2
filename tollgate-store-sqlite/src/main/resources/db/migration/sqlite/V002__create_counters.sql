-- Derived state written in the same transaction as the journal records that produced it.
-- Decimals are kept as exact plain strings: SQLite has no exact decimal type.
CREATE TABLE counters (
    customer_id  TEXT NOT NULL,
    feature      TEXT NOT NULL,
    window_start TEXT NOT NULL,
    used         TEXT NOT NULL,
    overage      TEXT NOT NULL,
    PRIMARY KEY (customer_id, feature, window_start)
) WITHOUT ROWID;
