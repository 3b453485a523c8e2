package dev.tollgate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.store.StoredPortalSession;
import dev.tollgate.testkit.MutableClock;
import dev.tollgate.testkit.memory.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the keyring answers for a portal link as time passes, whether or not a reload ran in between (the 2 s reload
 * used to drop an expired session, so that the same link was refused as expired or as unknown by timing alone).
 */
final class KeyringTest {
    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    @Test
    void an_expired_portal_link_is_refused_as_expired_before_and_after_a_reload(@TempDir Path dir) {
        MutableClock clock = MutableClock.at(START);
        MemoryStore store = MemoryStore.create();
        Keyring keyring = new Keyring(
                ApiKeys.load("tg_sk_test_secret_0123456789abcdef", dir, key -> {}), store.credentials(), clock);
        String token = Secrets.create(Secrets.PORTAL_TOKEN);
        keyring.add(new StoredPortalSession(
                "ps_1",
                Secrets.digest(token),
                "acme",
                null,
                List.of("read"),
                START,
                START.plus(Duration.ofMinutes(10)),
                null));
        assertThat(keyring.resolve(token)).isInstanceOf(Keyring.Accepted.class);

        clock.advance(Duration.ofMinutes(10));
        assertThat(keyring.resolve(token)).isEqualTo(expired());
        keyring.reload();
        assertThat(keyring.resolve(token)).as("after a reload").isEqualTo(expired());

        clock.advance(Keyring.EXPIRED_KNOWN);
        keyring.reload();
        assertThat(keyring.resolve(token))
                .as("a day after it expired, the link is forgotten")
                .isInstanceOfSatisfying(
                        Keyring.Refused.class, r -> assertThat(r.code()).isEqualTo("UNAUTHENTICATED"));
    }

    private static Keyring.Refused expired() {
        return new Keyring.Refused("CREDENTIAL_EXPIRED", "this portal session expired");
    }
}
