CREATE TABLE journal (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     TEXT,
    type            TEXT NOT NULL,
    at              TEXT NOT NULL,
    idempotency_key TEXT,
    payload         TEXT NOT NULL
);

CREATE UNIQUE INDEX journal_idempotency ON journal (customer_id, idempotency_key);
CREATE INDEX journal_customer ON journal (customer_id, seq);
