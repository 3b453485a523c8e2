-- Attribution: one row per accepted usage, written with its journal record, indexed by customer and time.
-- occurred_nanos: nanoseconds since the epoch (exact; timestamptz keeps microseconds only).
CREATE TABLE usage (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    text    NOT NULL,
    occurred_nanos bigint  NOT NULL,
    feature        text    NOT NULL,
    quantity       numeric NOT NULL,
    currency       text,
    credits        numeric,
    scope          text,
    dimensions     text    NOT NULL
);

CREATE INDEX usage_customer_time ON usage (customer_id, occurred_nanos);
