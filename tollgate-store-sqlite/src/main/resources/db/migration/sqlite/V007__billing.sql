-- Billing exports (docs/finance.md). A period's export reads a customer's records by the time they were applied, and
-- its subscription records alone (both conditions are repeated word for word by the queries, as SQLite needs for a
-- partial index).
CREATE INDEX journal_customer_at ON journal (customer_id, at);
CREATE INDEX journal_subscriptions ON journal (customer_id, seq) WHERE type IN ('subscription', 'cancellation');

-- The durable outbox of what the exporter sends a billing provider: one row per item, its id derived from the records
-- it comes from (so enqueuing it again adds nothing), claimed by one sender at a time. Times: nanoseconds since the
-- epoch.
CREATE TABLE export_outbox (
    id            TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    period        TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    item_key      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL,
    next_attempt  INTEGER NOT NULL,
    claimed_by    TEXT,
    claimed_until INTEGER,
    error         TEXT,
    result        TEXT,
    created       INTEGER NOT NULL,
    done          INTEGER
);

CREATE INDEX export_outbox_due ON export_outbox (status, next_attempt);

-- The exporter's settings: from which period it exports, which periods it has enqueued.
CREATE TABLE export_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
