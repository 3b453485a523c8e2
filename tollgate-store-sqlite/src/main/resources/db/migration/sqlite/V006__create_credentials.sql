-- Credentials (issue 20; docs/security.md): API keys and portal sessions, never in clear: each row keeps the SHA-256
-- digest of its key or token (lower-case hex), unique. Times are nanoseconds since the epoch (exact and sortable).
-- A publishable key's signing secret is sealed (AES-GCM under a key derived from the publishable key itself).
CREATE TABLE api_keys (
    id                    TEXT    PRIMARY KEY,
    kind                  TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    prefix                TEXT    NOT NULL,
    digest                TEXT    NOT NULL UNIQUE,
    sealed_signing_secret TEXT,
    created_nanos         INTEGER NOT NULL,
    revoked_nanos         INTEGER
);

CREATE TABLE portal_sessions (
    id            TEXT    PRIMARY KEY,
    digest        TEXT    NOT NULL UNIQUE,
    customer_id   TEXT    NOT NULL,
    scope         TEXT,
    permissions   TEXT    NOT NULL,
    created_nanos INTEGER NOT NULL,
    expires_nanos INTEGER NOT NULL,
    revoked_nanos INTEGER
);

CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_nanos);
