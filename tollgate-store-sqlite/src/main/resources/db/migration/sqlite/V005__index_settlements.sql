-- Attribution also reads the settlements of currency sessions (type 'settlement', occurred_nanos set) through the
-- usage index: the partial index covers both types, and the usage query names both, as the index does.
DROP INDEX journal_usage;
CREATE INDEX journal_usage ON journal (customer_id, occurred_nanos) WHERE type IN ('usage', 'settlement');
