package dev.tollgate.testkit.memory;

import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.StoreException;
import dev.tollgate.core.store.StoredKey;
import dev.tollgate.core.store.StoredPortalSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The credentials of a {@link MemoryStore}, kept with its data (a reopened store sees them), as the reference the
 * contract suite holds the SQL stores to.
 *
 * <p>Thread-safe: every call takes the lock of the rows.
 */
final class MemoryCredentials implements CredentialStore {
    /** The rows every store reopened on the same data shares; guarded by itself. */
    static final class Rows {
        final Map<String, StoredKey> keys = new LinkedHashMap<>();
        final Map<String, StoredPortalSession> sessions = new LinkedHashMap<>();
    }

    private static final Comparator<StoredKey> KEY_ORDER =
            Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id);
    private static final Comparator<StoredPortalSession> SESSION_ORDER =
            Comparator.comparing(StoredPortalSession::createdAt).thenComparing(StoredPortalSession::id);

    private final Rows rows;
    private final BooleanSupplier open;

    /** @param open whether the store is still open (a closed store throws {@link StoreException}) */
    MemoryCredentials(Rows rows, BooleanSupplier open) {
        this.rows = rows;
        this.open = open;
    }

    @Override
    public void addKey(StoredKey key) {
        synchronized (rows) {
            ensureOpen();
            boolean taken = rows.keys.containsKey(key.id())
                    || rows.keys.values().stream().anyMatch(k -> k.digest().equals(key.digest()));
            if (taken) {
                throw new RecordRefusedException("a key with id " + key.id() + " or its digest is stored already");
            }
            rows.keys.put(key.id(), key);
        }
    }

    @Override
    public boolean revokeKey(String id, Instant at) {
        synchronized (rows) {
            ensureOpen();
            StoredKey k = rows.keys.get(id);
            if (k == null || k.revokedAt() != null) {
                return false;
            }
            rows.keys.put(id, k.revoked(at));
            return true;
        }
    }

    @Override
    public List<StoredKey> keys() {
        synchronized (rows) {
            ensureOpen();
            List<StoredKey> all = new ArrayList<>(rows.keys.values());
            all.sort(KEY_ORDER);
            return all;
        }
    }

    @Override
    public void addPortalSession(StoredPortalSession session) {
        synchronized (rows) {
            ensureOpen();
            boolean taken = rows.sessions.containsKey(session.id())
                    || rows.sessions.values().stream().anyMatch(s -> s.digest().equals(session.digest()));
            if (taken) {
                throw new RecordRefusedException(
                        "a portal session with id " + session.id() + " or its digest is stored already");
            }
            rows.sessions.put(session.id(), session);
        }
    }

    @Override
    public boolean revokePortalSession(String id, Instant at) {
        synchronized (rows) {
            ensureOpen();
            StoredPortalSession s = rows.sessions.get(id);
            if (s == null || s.revokedAt() != null) {
                return false;
            }
            rows.sessions.put(id, s.revoked(at));
            return true;
        }
    }

    @Override
    public List<StoredPortalSession> portalSessions(Instant at) {
        synchronized (rows) {
            ensureOpen();
            List<StoredPortalSession> live = new ArrayList<>();
            for (StoredPortalSession s : rows.sessions.values()) {
                if (s.expiresAt().isAfter(at)) {
                    live.add(s);
                }
            }
            live.sort(SESSION_ORDER);
            return live;
        }
    }

    @Override
    public int deleteExpiredPortalSessions(Instant at) {
        synchronized (rows) {
            ensureOpen();
            int before = rows.sessions.size();
            rows.sessions.values().removeIf(s -> !s.expiresAt().isAfter(at));
            return before - rows.sessions.size();
        }
    }

    private void ensureOpen() {
        if (!open.getAsBoolean()) {
            throw new StoreException("the store is closed");
        }
    }
}
