-- Billing exports (docs/finance.md). A period's export reads a customer's records by the time they were applied, and
-- its subscription records alone; the customers, page by page, by a loose index scan. Ids compare by their bytes
-- (COLLATE "C"), the order SQLite and the API use, whatever the database's collation.
CREATE INDEX journal_customer_at ON journal ((customer_id COLLATE "C"), at);
CREATE INDEX journal_subscriptions ON journal ((customer_id COLLATE "C"), seq)
    WHERE type IN ('subscription', 'cancellation');

-- The durable outbox of what the exporter sends a billing provider: one row per item, its id derived from the records
-- it comes from (so enqueuing it again adds nothing), claimed by one sender at a time (FOR UPDATE SKIP LOCKED). Times:
-- nanoseconds since the epoch.
CREATE TABLE export_outbox (
    id            text    PRIMARY KEY,
    kind          text    NOT NULL,
    customer_id   text    NOT NULL,
    period        text    NOT NULL,
    payload       text    NOT NULL,
    item_key      text    NOT NULL,
    status        text    NOT NULL,
    attempts      integer NOT NULL,
    next_attempt  bigint  NOT NULL,
    claimed_by    text,
    claimed_until bigint,
    error         text,
    result        text,
    created       bigint  NOT NULL,
    done          bigint
);

CREATE INDEX export_outbox_due ON export_outbox (status, next_attempt);

-- The exporter's settings: from which period it exports, which periods it has enqueued.
CREATE TABLE export_settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);
