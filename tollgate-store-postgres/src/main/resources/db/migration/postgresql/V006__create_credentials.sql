-- Credentials (issue 20; docs/security.md): API keys and portal sessions, never in clear: each row keeps the SHA-256
-- digest of its key or token (lower-case hex), unique. Times are nanoseconds since the epoch (exact and sortable, as
-- usage.occurred_nanos). A publishable key's signing secret is sealed (AES-GCM under a key derived from the
-- publishable key itself). Every server of a cluster reads these rows: a key made or revoked on one is seen by all.
CREATE TABLE api_keys (
    id                    text   PRIMARY KEY,
    kind                  text   NOT NULL,
    name                  text   NOT NULL,
    prefix                text   NOT NULL,
    digest                text   NOT NULL UNIQUE,
    sealed_signing_secret text,
    created_nanos         bigint NOT NULL,
    revoked_nanos         bigint
);

CREATE TABLE portal_sessions (
    id            text   PRIMARY KEY,
    digest        text   NOT NULL UNIQUE,
    customer_id   text   NOT NULL,
    scope         text,
    permissions   text   NOT NULL,
    created_nanos bigint NOT NULL,
    expires_nanos bigint NOT NULL,
    revoked_nanos bigint
);

CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_nanos);
