-- Several servers on one schema (issue 19; docs/internals/stores.md, "Cluster tables and fencing"). Every time is the
-- database's clock (now()), never a server's, so servers with skewed clocks agree on who is alive.

-- Membership: one row per server (node) that ever joined, written by its heartbeats, never deleted. The node is
-- alive while expires_at > now(); a heartbeat sets expires_at = now() + its lease.
CREATE TABLE cluster_nodes (
    node_id      text        PRIMARY KEY,
    url          text        NOT NULL,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);

-- Ownership: one row per customer (or '_system', for what belongs to no customer) that a node ever acquired.
-- node_id NULL: released. epoch rises every time the customer changes hands; each commit of a batch locks the rows of
-- its customers and checks that they still name its node at the epoch it acquired (the fencing check).
CREATE TABLE cluster_owners (
    customer_id text        PRIMARY KEY,
    node_id     text,
    epoch       bigint      NOT NULL,
    changed_at  timestamptz NOT NULL
);

-- How many customers each node owns (the heartbeat's answer) without reading every row.
CREATE INDEX cluster_owners_node ON cluster_owners (node_id);
