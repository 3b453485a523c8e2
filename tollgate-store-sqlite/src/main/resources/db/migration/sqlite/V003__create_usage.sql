-- Attribution: one row per accepted usage, written with its journal record, indexed by customer and time.
-- occurred_nanos: nanoseconds since the epoch (exact and sortable); decimals as exact plain strings.
CREATE TABLE usage (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id    TEXT    NOT NULL,
    occurred_nanos INTEGER NOT NULL,
    feature        TEXT    NOT NULL,
    quantity       TEXT    NOT NULL,
    currency       TEXT,
    credits        TEXT,
    scope          TEXT,
    dimensions     TEXT    NOT NULL
);

CREATE INDEX usage_customer_time ON usage (customer_id, occurred_nanos);
