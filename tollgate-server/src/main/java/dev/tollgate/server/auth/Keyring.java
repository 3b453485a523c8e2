package dev.tollgate.server.auth;

import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.StoredKey;
import dev.tollgate.core.store.StoredPortalSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Every credential the server accepts or remembers refusing, in memory, by digest: the root key (configured or
 * generated, {@link ApiKeys}), the stored secret and publishable keys (revoked ones too, to say so), and the portal
 * sessions not expired for a day (revoked or expired ones too, to say so). A request's credential is looked up here by its SHA-256 digest on the connection's I/O
 * thread, never in the store.
 *
 * <p>Changes: a key or session made or revoked through this server is written to the store, then put in memory under
 * the lock of changes, which {@link #reload} (a full read of the store) takes too; so a reload never drops a change
 * made here, and a change made on another server of a cluster is in force here after the next reload (which that
 * server asks every other for before it answers the change, and which runs every 2 s besides).
 *
 * <p>Revocation: every change that takes a right away (a revocation, a reload that finds one) raises the {@link
 * #generation}; a connection's {@link Remembered} check answers from what it remembers only while the generation is
 * the one it remembered it at, so a revoked key is refused on its very next request, on every connection.
 *
 * <p>Thread-safe: lookups read an immutable snapshot through a volatile field; changes take a lock.
 */
public final class Keyring {
    /** The credentials by digest, and the generation they were made at. */
    private record Snapshot(Map<String, Entry> byDigest, long generation) {}

    /** What a digest names. */
    private sealed interface Entry {}

    @SuppressWarnings("ArrayRecordComponent") // one per keyring, compared only by Secrets.same
    private record RootEntry(byte[] digest) implements Entry {}

    private record KeyEntry(StoredKey key) implements Entry {}

    private record SessionEntry(StoredPortalSession session) implements Entry {}

    /** What a presented credential was found to be. */
    public sealed interface Resolution {}

    /** A credential in force: the caller it names. */
    public record Accepted(Caller caller) implements Resolution {}

    /**
     * A credential refused.
     *
     * @param code {@code UNAUTHENTICATED} (unknown), {@code CREDENTIAL_REVOKED} or {@code CREDENTIAL_EXPIRED}
     * @param message for people
     */
    public record Refused(String code, String message) implements Resolution {}

    private static final Refused UNKNOWN = new Refused("UNAUTHENTICATED", "invalid API key or token");
    private static final Refused REVOKED = new Refused("CREDENTIAL_REVOKED", "this key or token was revoked");
    private static final Refused EXPIRED = new Refused("CREDENTIAL_EXPIRED", "this portal session expired");

    private final ApiKeys root;
    private final CredentialStore store;
    private final InstantSource clock;
    private final Object changes = new Object();
    private volatile Snapshot snapshot;

    /**
     * Reads every stored credential.
     *
     * @param root the root key
     * @param store where credentials are kept
     * @param clock what times credentials and decides expiry
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read
     */
    public Keyring(ApiKeys root, CredentialStore store, InstantSource clock) {
        this.root = root;
        this.store = store;
        this.clock = clock;
        this.snapshot = read(0);
    }

    /** The store the credentials are kept in. */
    public CredentialStore store() {
        return store;
    }

    /**
     * Deletes from the store the portal sessions expired for {@link #EXPIRED_KNOWN}: until then a use of one is told it
     * expired (the reload keeps them known as long). Blocks on the store.
     *
     * @return how many were deleted
     * @throws dev.tollgate.core.store.StoreException if the store cannot be written
     */
    public int forgetExpiredPortalSessions() {
        return store.deleteExpiredPortalSessions(clock.instant().minus(EXPIRED_KNOWN));
    }

    /** The time now, by the server's clock. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Reads every credential from the store again (changes made by other servers of a cluster). Blocks on the store;
     * never on an I/O thread.
     *
     * @throws dev.tollgate.core.store.StoreException if the store cannot be read; what is in memory stays
     */
    public void reload() {
        synchronized (changes) {
            Snapshot old = snapshot;
            Snapshot fresh = read(old.generation());
            if (!sameEntries(old.byDigest(), fresh.byDigest())) {
                snapshot = new Snapshot(fresh.byDigest(), old.generation() + 1);
            }
        }
    }

    private Snapshot read(long generation) {
        Map<String, Entry> byDigest = new HashMap<>();
        byDigest.put(root.digestHex(), new RootEntry(root.digest()));
        for (StoredKey k : store.keys()) {
            byDigest.put(k.digest(), new KeyEntry(k));
        }
        for (StoredPortalSession s : store.portalSessions(clock.instant().minus(EXPIRED_KNOWN))) {
            byDigest.put(s.digest(), new SessionEntry(s));
        }
        return new Snapshot(Map.copyOf(byDigest), generation);
    }

    private static boolean sameEntries(Map<String, Entry> a, Map<String, Entry> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Entry> e : a.entrySet()) {
            if (!(e.getValue() instanceof RootEntry) && !e.getValue().equals(b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stores a new key and puts it in force here.
     *
     * @throws dev.tollgate.core.store.StoreException if it cannot be stored; nothing changed
     */
    public void add(StoredKey key) {
        synchronized (changes) {
            store.addKey(key);
            put(key.digest(), new KeyEntry(key), false);
        }
    }

    /**
     * Stores a new portal session and puts it in force here.
     *
     * @throws dev.tollgate.core.store.StoreException if it cannot be stored; nothing changed
     */
    public void add(StoredPortalSession session) {
        synchronized (changes) {
            store.addPortalSession(session);
            put(session.digest(), new SessionEntry(session), false);
        }
    }

    /**
     * Revokes a stored key (once: a revoked key keeps its first revocation time).
     *
     * @return the key as it is now, or empty if no key has the id
     * @throws dev.tollgate.core.store.StoreException if the store cannot be written or read
     */
    public Optional<StoredKey> revokeKey(String id) {
        synchronized (changes) {
            store.revokeKey(id, clock.instant());
            Optional<StoredKey> now =
                    store.keys().stream().filter(k -> k.id().equals(id)).findFirst();
            now.ifPresent(k -> put(k.digest(), new KeyEntry(k), true));
            return now;
        }
    }

    /**
     * Revokes a portal session (once).
     *
     * @return the session as it is now, or empty if no unexpired session has the id
     * @throws dev.tollgate.core.store.StoreException if the store cannot be written or read
     */
    public Optional<StoredPortalSession> revokePortalSession(String id) {
        synchronized (changes) {
            Instant now = clock.instant();
            store.revokePortalSession(id, now);
            Optional<StoredPortalSession> session = store.portalSessions(now).stream()
                    .filter(s -> s.id().equals(id))
                    .findFirst();
            session.ifPresent(s -> put(s.digest(), new SessionEntry(s), true));
            return session;
        }
    }

    private void put(String digest, Entry entry, boolean takesRightsAway) {
        Snapshot old = snapshot;
        Map<String, Entry> byDigest = new HashMap<>(old.byDigest());
        byDigest.put(digest, entry);
        snapshot = new Snapshot(Map.copyOf(byDigest), old.generation() + (takesRightsAway ? 1 : 0));
    }

    /** The generation of the credentials in force: it rises whenever a right is taken away. */
    long generation() {
        return snapshot.generation();
    }

    /**
     * What a presented credential is: its caller, or why it is refused. Hashes it once; reads memory only.
     *
     * @param presented the credential as sent after {@code Bearer }
     */
    public Resolution resolve(String presented) {
        return resolve(presented, snapshot);
    }

    private Resolution resolve(String presented, Snapshot s) {
        byte[] digest = Secrets.sha256(presented.getBytes(StandardCharsets.UTF_8));
        Entry entry = s.byDigest().get(java.util.HexFormat.of().formatHex(digest));
        if (entry instanceof RootEntry r && Secrets.same(r.digest(), digest)) {
            return new Accepted(new Caller.Operator(Caller.ROOT));
        }
        if (entry instanceof KeyEntry k) {
            StoredKey key = k.key();
            if (key.revokedAt() != null) {
                return REVOKED;
            }
            if (key.kind().equals(StoredKey.SECRET)) {
                return new Accepted(new Caller.Operator(key.id()));
            }
            try {
                String signing = Secrets.unseal(presented, java.util.Objects.requireNonNull(key.sealedSigningSecret()));
                return new Accepted(new Caller.Publishable(key.id(), new CustomerTokens(signing)));
            } catch (IllegalArgumentException e) {
                return UNKNOWN; // a sealed secret that does not open with this key: not this key's row
            }
        }
        if (entry instanceof SessionEntry e) {
            StoredPortalSession session = e.session();
            if (session.revokedAt() != null) {
                return REVOKED;
            }
            if (!clock.instant().isBefore(session.expiresAt())) {
                return EXPIRED;
            }
            return new Accepted(new Caller.Portal(session));
        }
        return UNKNOWN;
    }

    /** The keys in force or revoked, as this server knows them (the store may know more, from other servers). */
    List<StoredKey> keys() {
        return snapshot.byDigest().values().stream()
                .filter(e -> e instanceof KeyEntry)
                .map(e -> ((KeyEntry) e).key())
                .toList();
    }

    /** A check for one connection: see {@link Remembered}. */
    public Remembered remembering() {
        return new Remembered();
    }

    /**
     * Whether the credential that {@code authorization} presents is still accepted, for a long-lived answer (a change
     * feed) to end when it is revoked or expires. Answered from memory ({@link Remembered}: a generation compare
     * until something is revoked); confined, like a {@link Remembered}, to one thread at a time.
     *
     * @param authorization the request's {@code Authorization} header, or {@code null} (then never in force)
     */
    public BooleanSupplier inForce(@Nullable String authorization) {
        String presented = Objects.requireNonNullElse(Gate.presented(authorization), "");
        Remembered check = remembering();
        return () -> check.check(presented) instanceof Accepted;
    }

    /**
     * One connection's credential check: it remembers the last credential accepted on the connection and what it
     * named, so that a keep-alive client costs one hash per connection instead of one per request (the hot path,
     * {@code /v1/check}). A credential presented again is compared with the remembered one in time that depends only on
     * the presented one's length, and is answered from memory only while the keyring's {@link #generation} is the one
     * it was remembered at (and, for a portal session, while it has not expired); any other is resolved afresh.
     *
     * <p>Not thread-safe: confined to its connection's I/O thread.
     */
    public final class Remembered {
        private @Nullable String presented;
        private @Nullable Accepted accepted;
        private long generation = -1;

        private Remembered() {}

        /** What {@code presented} is, as {@link Keyring#resolve} says. */
        public Resolution check(String presented) {
            Snapshot s = snapshot;
            Accepted known = accepted;
            String knownKey = this.presented;
            if (known != null
                    && knownKey != null
                    && generation == s.generation()
                    && sameInConstantTime(knownKey, presented)
                    && (!(known.caller() instanceof Caller.Portal p) || p.inForce(clock.instant()))) {
                return known;
            }
            Resolution r = resolve(presented, s);
            if (r instanceof Accepted a) {
                this.presented = presented;
                this.accepted = a;
                this.generation = s.generation();
            } else {
                this.presented = null;
                this.accepted = null;
            }
            return r;
        }

        private static boolean sameInConstantTime(String known, String presented) {
            int diff = known.length() ^ presented.length();
            for (int i = 0; i < presented.length(); i++) {
                diff |= known.charAt(i % known.length()) ^ presented.charAt(i);
            }
            return diff == 0;
        }
    }

    /**
     * How long after it expired a portal session is still known: its link is refused as expired ({@code
     * CREDENTIAL_EXPIRED}, which the portal shows as such) whether or not a reload ran since, not as unknown.
     */
    static final Duration EXPIRED_KNOWN = Duration.ofDays(1);

    /** How long a reload may lag behind another server's change at most, when that server could not ask: 2 s. */
    public static final Duration RELOAD_EVERY = Duration.ofSeconds(2);
}
