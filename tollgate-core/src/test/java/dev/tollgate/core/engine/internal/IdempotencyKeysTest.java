package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.journal.JournalEntry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

final class IdempotencyKeysTest {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private static JournalEntry record(String key) {
        return new JournalEntry.CustomerUpserted("c", Instant.EPOCH, key, key, Map.of(), null, null);
    }

    @Test
    void memory_holds_a_bounded_number_of_records_however_many_keys_were_used() {
        IdempotencyKeys keys = new IdempotencyKeys(1024);
        for (int i = 0; i < 100_000; i++) {
            keys.add("k" + i, record("k" + i), DONE);
        }
        assertThat(keys.recentSize())
                .as("regression: every record was kept forever")
                .isEqualTo(1024);
        assertThat(keys.recent("k99999")).isNotNull();
        assertThat(keys.recent("k0")).as("old records are dropped").isNull();
        for (int i = 0; i < 100_000; i++) {
            assertThat(keys.mayHave("k" + i)).as("k%d", i).isTrue();
        }
        int falseHits = 0;
        for (int i = 0; i < 100_000; i++) {
            falseHits += keys.mayHave("unused-" + i) ? 1 : 0;
        }
        assertThat(falseHits).as("64-bit fingerprints: no false hit in 100,000").isZero();
    }

    @Test
    void a_record_not_yet_durable_is_never_dropped() {
        IdempotencyKeys keys = new IdempotencyKeys(10);
        CompletableFuture<Void> pending = new CompletableFuture<>();
        for (int i = 0; i < 50; i++) {
            keys.add("p" + i, record("p" + i), pending);
        }
        assertThat(keys.recentSize()).isEqualTo(50);

        pending.complete(null);
        keys.add("next", record("next"), DONE);
        assertThat(keys.recentSize()).isEqualTo(10);
        assertThat(keys.recent("p0")).isNull();
        assertThat(keys.recent("next")).isNotNull();
    }

    @Test
    void the_first_record_of_a_key_wins_and_settle_replaces_only_the_placeholder() {
        IdempotencyKeys keys = new IdempotencyKeys(10);
        CompletableFuture<Void> placeholder = new CompletableFuture<>();
        CompletableFuture<Void> commit = new CompletableFuture<>();
        JournalEntry first = record("k");
        keys.add("k", first, placeholder);
        keys.add("k", record("other"), DONE);
        keys.settle("k", placeholder, commit);
        keys.settle("k", placeholder, DONE);

        IdempotencyKeys.KeyRecord r = keys.recent("k");
        assertThat(r).isNotNull();
        assertThat(r.entry()).isSameAs(first);
        assertThat(r.durable()).isSameAs(commit);
    }

    @Test
    void copy_and_clear() {
        IdempotencyKeys keys = new IdempotencyKeys(2);
        for (int i = 0; i < 5; i++) {
            keys.add("k" + i, record("k" + i), DONE);
        }
        IdempotencyKeys copy = new IdempotencyKeys(2);
        copy.add("mine", record("mine"), DONE);
        copy.copyFrom(keys);
        assertThat(copy.mayHave("mine")).isFalse();
        assertThat(copy.mayHave("k0")).isTrue();
        assertThat(copy.recent("k4")).isNotNull();
        assertThat(copy.recentSize()).isEqualTo(2);

        keys.clear();
        assertThat(keys.mayHave("k0")).isFalse();
        assertThat(keys.recentSize()).isZero();
        assertThat(copy.mayHave("k0")).as("the copy is independent").isTrue();
    }
}
