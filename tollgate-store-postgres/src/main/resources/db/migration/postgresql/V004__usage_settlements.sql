-- Attribution also keeps the settlements of currency sessions: credits at a scope, without a feature.
ALTER TABLE usage ALTER COLUMN feature DROP NOT NULL;
