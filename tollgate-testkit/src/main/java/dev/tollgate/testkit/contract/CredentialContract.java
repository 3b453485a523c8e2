package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.store.CredentialStore;
import dev.tollgate.core.store.RecordRefusedException;
import dev.tollgate.core.store.Store;
import dev.tollgate.core.store.StoredKey;
import dev.tollgate.core.store.StoredPortalSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What every store's {@link CredentialStore} must do: keep API keys and portal sessions whole and exactly (times to the
 * nanosecond), across a reopen, refuse a second credential with a stored id or digest, revoke once, and list the live
 * portal sessions alone.
 */
public abstract class CredentialContract extends StoreSuite {
    private static final Instant T = Instant.parse("2026-11-30T10:15:30.123456789Z");

    @Test
    void keys_are_kept_whole_and_in_creation_order_across_a_reopen() {
        StoredKey secret = key("key_b", StoredKey.SECRET, 'a', T);
        StoredKey publishable = key("key_a", StoredKey.PUBLISHABLE, 'b', T.plusNanos(1));
        try (Store store = openStore()) {
            store.credentials().addKey(publishable);
            store.credentials().addKey(secret);
            assertThat(store.credentials().keys()).containsExactly(secret, publishable);
        }
        try (Store store = openStore()) {
            assertThat(store.credentials().keys()).containsExactly(secret, publishable);
        }
    }

    @Test
    void a_key_with_a_stored_id_or_digest_is_refused_and_nothing_is_stored() {
        StoredKey first = key("key_1", StoredKey.SECRET, 'a', T);
        try (Store store = openStore()) {
            CredentialStore c = store.credentials();
            c.addKey(first);
            assertThatThrownBy(() -> c.addKey(key("key_1", StoredKey.SECRET, 'b', T)))
                    .isInstanceOf(RecordRefusedException.class);
            assertThatThrownBy(() -> c.addKey(key("key_2", StoredKey.SECRET, 'a', T)))
                    .isInstanceOf(RecordRefusedException.class);
            c.addKey(key("key_3", StoredKey.SECRET, 'c', T));
            assertThat(c.keys()).extracting(StoredKey::id).containsExactly("key_1", "key_3");
        }
    }

    @Test
    void a_key_is_revoked_once_and_the_revocation_survives_a_reopen() {
        Instant at = T.plus(Duration.ofHours(1)).plusNanos(7);
        try (Store store = openStore()) {
            CredentialStore c = store.credentials();
            c.addKey(key("key_1", StoredKey.SECRET, 'a', T));
            c.addKey(key("key_2", StoredKey.PUBLISHABLE, 'b', T));
            assertThat(c.revokeKey("key_1", at)).isTrue();
            assertThat(c.revokeKey("key_1", at.plusSeconds(5)))
                    .as("revoked before")
                    .isFalse();
            assertThat(c.revokeKey("key_9", at)).as("no such key").isFalse();
        }
        try (Store store = openStore()) {
            List<StoredKey> keys = store.credentials().keys();
            assertThat(keys.get(0).revokedAt()).isEqualTo(at);
            assertThat(keys.get(1).revokedAt()).isNull();
        }
    }

    @Test
    void portal_sessions_are_kept_whole_and_only_the_unexpired_are_listed() {
        StoredPortalSession whole = session("ps_1", 'a', "acme", "eng", List.of("read", "budgets"), T.plusSeconds(60));
        StoredPortalSession noScope = session("ps_2", 'b', "globex", null, List.of("read"), T.plusSeconds(120));
        StoredPortalSession expired = session("ps_3", 'c', "acme", null, List.of("read"), T.minusNanos(1));
        try (Store store = openStore()) {
            CredentialStore c = store.credentials();
            c.addPortalSession(whole);
            c.addPortalSession(noScope);
            c.addPortalSession(expired);
            assertThat(c.portalSessions(T)).containsExactly(whole, noScope);
            assertThat(c.portalSessions(T.plusSeconds(60)))
                    .as("expiring at that instant")
                    .containsExactly(noScope);
        }
        try (Store store = openStore()) {
            assertThat(store.credentials().portalSessions(T)).containsExactly(whole, noScope);
        }
    }

    @Test
    void a_portal_session_is_revoked_once_and_expired_ones_are_deleted() {
        Instant at = T.plusSeconds(3).plusNanos(11);
        try (Store store = openStore()) {
            CredentialStore c = store.credentials();
            c.addPortalSession(session("ps_1", 'a', "acme", null, List.of("read"), T.plusSeconds(60)));
            c.addPortalSession(session("ps_2", 'b', "acme", null, List.of("read"), T.plusSeconds(10)));
            assertThatThrownBy(() ->
                            c.addPortalSession(session("ps_3", 'a', "acme", null, List.of("read"), T.plusSeconds(60))))
                    .as("a stored digest")
                    .isInstanceOf(RecordRefusedException.class);
            assertThat(c.revokePortalSession("ps_1", at)).isTrue();
            assertThat(c.revokePortalSession("ps_1", at.plusSeconds(1))).isFalse();
            assertThat(c.revokePortalSession("ps_9", at)).isFalse();
            assertThat(c.portalSessions(T))
                    .extracting(StoredPortalSession::revokedAt)
                    .containsExactly(at, null);
            assertThat(c.deleteExpiredPortalSessions(T.plusSeconds(10))).isEqualTo(1);
            assertThat(c.portalSessions(T)).extracting(StoredPortalSession::id).containsExactly("ps_1");
            assertThat(c.deleteExpiredPortalSessions(T.plusSeconds(10))).isZero();
        }
    }

    @Test
    void writes_from_many_threads_beside_each_other_are_all_kept() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Store store = openStore()) {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                writes.add(pool.submit(() -> {
                    store.credentials().addKey(key("key_" + n, StoredKey.SECRET, n, T.plusNanos(n)));
                    store.credentials().revokeKey("key_" + n, T.plusSeconds(1));
                }));
            }
            for (Future<?> w : writes) {
                w.get();
            }
            assertThat(store.credentials().keys()).hasSize(40).allMatch(k -> k.revokedAt() != null);
        } finally {
            pool.shutdownNow();
        }
    }

    private static StoredKey key(String id, String kind, int digestSeed, Instant createdAt) {
        return new StoredKey(
                id,
                kind,
                "name of " + id,
                "tg_" + id,
                digest(digestSeed),
                kind.equals(StoredKey.PUBLISHABLE) ? "sealed-" + id : null,
                createdAt,
                null);
    }

    private static StoredPortalSession session(
            String id, int digestSeed, String customer, @Nullable String scope, List<String> perms, Instant expires) {
        return new StoredPortalSession(id, digest(digestSeed), customer, scope, perms, T, expires, null);
    }

    /** A well-formed digest that differs for each seed. */
    private static String digest(int seed) {
        return String.format("%064x", seed + 1);
    }
}
