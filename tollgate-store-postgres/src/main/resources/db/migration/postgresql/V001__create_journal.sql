-- The append-only journal. seq is an identity: ids grow with insertion time (one writer), so inserts stay at the
-- right edge of the index, which random ids would not.
CREATE TABLE journal (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     text,
    type            text        NOT NULL,
    at              timestamptz NOT NULL,
    idempotency_key text,
    payload         text        NOT NULL
);

CREATE UNIQUE INDEX journal_idempotency ON journal (customer_id, idempotency_key);
CREATE INDEX journal_customer ON journal (customer_id, seq);

-- Derived state written in the same transaction as the records that produced it. window_start is the exact
-- ISO-8601 instant as the core computed it (timestamptz would keep microseconds only, and the key must match exactly).
CREATE TABLE counters (
    customer_id  text        NOT NULL,
    feature      text        NOT NULL,
    window_start text        NOT NULL,
    used         numeric     NOT NULL,
    overage      numeric     NOT NULL,
    PRIMARY KEY (customer_id, feature, window_start)
);
