package dev.tollgate.core.store;

import java.time.Instant;
import java.util.List;

/**
 * The storage SPI of credentials: API keys and portal sessions, each kept by its SHA-256 digest, never in clear.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Every write is durable when it returns, and atomic: a credential is stored whole or not at all.
 *   <li>Ids and digests are unique: adding a credential whose id or digest is stored already throws {@link
 *       RecordRefusedException} and stores nothing.
 *   <li>A revocation is stored once: revoking a revoked credential keeps its first time and answers {@code false}.
 *   <li>What one server writes, every server on the same database reads (several servers on PostgreSQL).
 * </ul>
 *
 * <p>What the server does with them (the checks, the cache in memory, the tokens' format) is the server's; the store
 * only keeps the rows. Implementations are thread-safe; writes may come from any thread, beside the journal's writer.
 */
public interface CredentialStore {

    /**
     * Stores a new API key.
     *
     * @throws RecordRefusedException if a key with its id or digest is stored already; nothing was stored
     * @throws StoreException if it could not be stored
     */
    void addKey(StoredKey key);

    /**
     * Revokes an API key, if it is not revoked already.
     *
     * @param at the time of the revocation
     * @return whether the key was revoked now ({@code false}: no such key, or revoked before)
     * @throws StoreException if the store cannot be written
     */
    boolean revokeKey(String id, Instant at);

    /**
     * Every API key, revoked ones too, in the order they were created (by {@link StoredKey#createdAt()}, then id).
     *
     * @throws StoreException if the store cannot be read
     */
    List<StoredKey> keys();

    /**
     * Stores a new portal session.
     *
     * @throws RecordRefusedException if a session with its id or digest is stored already; nothing was stored
     * @throws StoreException if it could not be stored
     */
    void addPortalSession(StoredPortalSession session);

    /**
     * Revokes a portal session, if it is not revoked already.
     *
     * @param at the time of the revocation
     * @return whether the session was revoked now ({@code false}: no such session, or revoked before)
     * @throws StoreException if the store cannot be written
     */
    boolean revokePortalSession(String id, Instant at);

    /**
     * The portal sessions that expire after {@code at} (revoked ones too), in the order they were created.
     *
     * @throws StoreException if the store cannot be read
     */
    List<StoredPortalSession> portalSessions(Instant at);

    /**
     * Deletes the portal sessions that expired at or before {@code at}: they can no longer be used, and the table
     * would otherwise grow by one row per portal link for ever.
     *
     * @return how many were deleted
     * @throws StoreException if the store cannot be written
     */
    int deleteExpiredPortalSessions(Instant at);
}
