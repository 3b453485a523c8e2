package dev.tollgate.core.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.core.session.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A customer's sessions are bounded in memory: the open ones stay, and only the last closed ones. */
final class CustomerStateSessionsTest {
    private static final Instant T = Instant.parse("2026-03-15T12:00:00Z");

    @Test
    void after_many_open_close_cycles_only_the_open_and_the_last_closed_sessions_are_kept() {
        CustomerState state = new CustomerState("c");
        open(state, 1);
        int n = 2000;
        for (int i = 2; i <= n; i++) {
            open(state, i);
            apply(state, new JournalEntry.SessionClosed("c", T, "close:c@s" + i, "c@s" + i, false, null, null));
        }
        // regression: every session ever opened stayed, closed ones included, and the held sums walked them all
        assertThat(inMemory(state)).isEqualTo(1 + SessionBook.RECENT_CLOSED);
        assertThat(inMemory(Objects.requireNonNull(state.durable))).isEqualTo(1 + SessionBook.RECENT_CLOSED);
        assertThat(state.sessions.open).as("what the held sums walk").containsOnlyKeys("c@s1");
        assertThat(state.sessions.closed).containsKey("c@s" + n).doesNotContainKey("c@s2");
        assertThat(state.sessions.closedLongAgo("c@s2")).isTrue();
        assertThat(state.sessions.closedLongAgo("c@s1")).as("open").isFalse();
        assertThat(state.sessions.closedLongAgo("c@s" + (n + 1)))
                .as("not issued")
                .isFalse();
        assertThat(state.sessions.closedLongAgo("c@s02"))
                .as("not an id it issues")
                .isFalse();
        assertThat(state.sessions.opened).isEqualTo(n);
    }

    private static void open(CustomerState state, int n) {
        apply(
                state,
                new JournalEntry.SessionOpened(
                        "c",
                        T,
                        "open-" + n,
                        new Session(
                                "c@s" + n,
                                null,
                                "credits",
                                null,
                                BigDecimal.ONE,
                                T,
                                T.plusSeconds(60),
                                T.plusSeconds(60)),
                        null));
    }

    private static void apply(CustomerState state, JournalEntry entry) {
        state.apply(entry, CompletableFuture.completedFuture(null));
        Objects.requireNonNull(state.durable).apply(entry, CompletableFuture.completedFuture(null));
    }

    private static int inMemory(CustomerState state) {
        return state.sessions.open.size() + state.sessions.released.size() + state.sessions.closed.size();
    }
}
