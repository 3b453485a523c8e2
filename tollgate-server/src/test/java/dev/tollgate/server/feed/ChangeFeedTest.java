package dev.tollgate.server.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.journal.JournalEntry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {
    private static final InstantSource FROZEN = InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z"));

    private static JournalEntry changeOf(String customerId) {
        return new JournalEntry.AlertDelivered(customerId, Instant.EPOCH, null, "a", "w");
    }

    private static JournalEntry catalog() {
        return new JournalEntry.CatalogPublished(2, Instant.EPOCH, "test", null, null);
    }

    private static List<FeedSubscription.Change> drain(FeedSubscription s) {
        List<FeedSubscription.Change> out = new ArrayList<>();
        for (FeedSubscription.Change c = s.poll(); c != null; c = s.poll()) {
            out.add(c);
        }
        return out;
    }

    private static List<String> customers(List<FeedSubscription.Change> changes) {
        return changes.stream().map(FeedSubscription.Change::customerId).toList();
    }

    @Test
    void a_first_connection_gets_every_followed_customer_then_each_change_once_in_cursor_order() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b", "c"));
        AtomicInteger wakes = new AtomicInteger();
        FeedSubscription s = feed.subscribe(null, null, wakes::incrementAndGet);

        List<FeedSubscription.Change> snapshot = drain(s);
        assertThat(customers(snapshot)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(snapshot).allSatisfy(c -> assertThat(c.cursor()).isEqualTo(feed.bootCursor() - 1));

        feed.committed(1, List.of(changeOf("b")), 0);
        feed.committed(1, List.of(changeOf("a"), changeOf("a")), 0);
        feed.committed(1, List.of(changeOf("b")), 0);
        List<FeedSubscription.Change> changes = drain(s);

        assertThat(customers(changes))
                .as("b coalesced to its latest change, after a")
                .containsExactly("a", "b");
        assertThat(changes.get(0).cursor()).isLessThan(changes.get(1).cursor());
        assertThat(changes.get(0).cursor()).isGreaterThanOrEqualTo(feed.bootCursor());
        assertThat(wakes).hasValueGreaterThanOrEqualTo(4);
    }

    @Test
    void named_customers_only_and_a_named_customer_that_does_not_exist_yet_is_in_the_snapshot() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b"));
        FeedSubscription s = feed.subscribe(new Interest(Set.of("a", "new")), null, () -> {});
        assertThat(customers(drain(s))).containsExactlyInAnyOrder("a", "new");

        feed.committed(1, List.of(changeOf("b"), changeOf("new"), changeOf("_system")), 0);
        assertThat(customers(drain(s))).containsExactly("new");
    }

    @Test
    void a_resume_from_a_cursor_of_this_process_gets_only_what_changed_after_it() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b", "c"));
        feed.committed(1, List.of(changeOf("a")), 0);
        FeedSubscription first = feed.subscribe(null, null, () -> {});
        long seen = drain(first).stream()
                .mapToLong(FeedSubscription.Change::cursor)
                .max()
                .orElseThrow();
        first.close();
        feed.committed(1, List.of(changeOf("c")), 0);

        FeedSubscription resumed = feed.subscribe(null, seen, () -> {});

        assertThat(customers(drain(resumed))).containsExactly("c");
    }

    @Test
    void a_resume_from_before_this_process_started_gets_a_full_snapshot() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b"));

        FeedSubscription s = feed.subscribe(null, feed.bootCursor() - 1, () -> {});

        assertThat(customers(drain(s))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void cursors_of_a_later_process_start_above_those_of_an_earlier_one() {
        ChangeFeed earlier = new ChangeFeed(FROZEN);
        earlier.seed(List.of("a"));
        for (int i = 0; i < 1000; i++) {
            earlier.committed(1, List.of(changeOf("a")), 0);
        }
        FeedSubscription s = earlier.subscribe(null, null, () -> {});
        long lastOfEarlier = drain(s).get(0).cursor();

        ChangeFeed later = new ChangeFeed(InstantSource.fixed(FROZEN.instant().plusMillis(5)));

        assertThat(later.bootCursor()).isGreaterThan(lastOfEarlier);
    }

    @Test
    void a_catalog_publication_changes_every_known_customer() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b"));
        feed.committed(1, List.of(changeOf("c")), 0);
        FeedSubscription s = feed.subscribe(null, feed.bootCursor(), () -> {});
        drain(s);

        feed.committed(1, List.of(catalog()), 0);

        List<FeedSubscription.Change> changes = drain(s);
        assertThat(customers(changes)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(changes.stream().map(FeedSubscription.Change::cursor).distinct())
                .as("each its own cursor, so a connection lost among them resumes without a gap")
                .hasSize(3);
    }

    @Test
    void a_failed_batch_and_the_resynchronisation_after_the_outage_are_changes() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        feed.seed(List.of("a", "b"));
        FeedSubscription s = feed.subscribe(null, feed.bootCursor(), () -> {});

        feed.failed(List.of(changeOf("a")), new IllegalStateException("store down"));
        assertThat(customers(drain(s))).containsExactly("a");
        feed.recovered();
        assertThat(customers(drain(s)))
                .as("re-read from the store: may differ again")
                .containsExactly("a");
        feed.recovered();
        assertThat(drain(s)).isEmpty();
    }

    @Test
    void a_closed_subscription_is_forgotten_and_queues_nothing() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        FeedSubscription s = feed.subscribe(null, null, () -> {});
        s.close();
        feed.committed(1, List.of(changeOf("a")), 0);

        assertThat(feed.subscribers()).isZero();
        assertThat(s.poll()).isNull();
    }

    /**
     * A client that is cut off at random moments and resumes from the last cursor it saw ends up, once drained, having
     * been sent every customer at or after that customer's latest change: nothing missed. Seeded; the seed is in the
     * failure message.
     */
    @Test
    void a_client_cut_off_at_random_and_resuming_from_its_last_cursor_misses_no_change() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            ChangeFeed feed = new ChangeFeed(FROZEN);
            List<String> ids = List.of("a", "b", "c", "d", "e");
            feed.seed(ids.subList(0, 3));
            Map<String, Long> seen = new HashMap<>();
            Map<String, Long> changedAt = new HashMap<>();
            @Nullable Long last = null;
            FeedSubscription s = feed.subscribe(null, null, () -> {});
            for (int step = 0; step < 300; step++) {
                int what = random.nextInt(10);
                if (what < 5) {
                    String c = ids.get(random.nextInt(ids.size()));
                    feed.committed(1, List.of(changeOf(c)), 0);
                    changedAt.put(c, latestCursor(feed, c));
                } else if (what < 6) {
                    feed.committed(1, List.of(catalog()), 0);
                    changedAt.replaceAll((c, at) -> latestCursor(feed, c));
                } else if (what < 9) {
                    FeedSubscription.Change c = s.poll();
                    if (c != null) {
                        assertThat(last == null || c.cursor() >= last)
                                .as("seed %d: cursors sent in order", seed)
                                .isTrue();
                        last = c.cursor();
                        seen.merge(c.customerId(), c.cursor(), Math::max);
                    }
                } else {
                    s.close();
                    s = feed.subscribe(null, last, () -> {});
                }
            }
            for (FeedSubscription.Change c = s.poll(); c != null; c = s.poll()) {
                seen.merge(c.customerId(), c.cursor(), Math::max);
            }
            assertThat(seen).as("seed %d: every customer in the snapshot", seed).containsKeys("a", "b", "c");
            for (Map.Entry<String, Long> e : changedAt.entrySet()) {
                assertThat(seen.get(e.getKey()))
                        .as("seed %d: customer %s changed at %d", seed, e.getKey(), e.getValue())
                        .isNotNull()
                        .isGreaterThanOrEqualTo(e.getValue());
            }
        }
    }

    private static long latestCursor(ChangeFeed feed, String customerId) {
        FeedSubscription probe = feed.subscribe(new Interest(Set.of(customerId)), null, () -> {});
        long cursor = drain(probe).get(0).cursor();
        probe.close();
        return cursor;
    }

    /** A node's residency: the customers it holds, each at its epoch; changed by the test. */
    private static final class Held implements Residency {
        final Map<String, Long> epochs = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public long epoch(String customerId) {
            return epochs.getOrDefault(customerId, NOT_HELD);
        }

        @Override
        public java.util.Collection<String> held() {
            return List.copyOf(epochs.keySet());
        }
    }

    @Test
    void a_node_of_a_cluster_speaks_only_for_the_customers_it_holds() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        Held held = new Held();
        held.epochs.put("a", 3L);
        feed.attach(held);
        feed.seed(List.of("a", "b", "c"));

        FeedSubscription every = feed.subscribe(null, null, () -> {});
        FeedSubscription named = feed.subscribe(new Interest(Set.of("a", "b")), null, () -> {});
        assertThat(customers(drain(every)))
                .as("the snapshot: held customers only")
                .containsExactly("a");
        assertThat(customers(drain(named))).containsExactly("a");
        assertThat(feed.epoch("a")).isEqualTo(3);
        assertThat(feed.epoch("b")).isEqualTo(Residency.NOT_HELD);

        feed.committed(1, List.of(catalog()), 0);
        assertThat(customers(drain(every)))
                .as("a catalog change changes what this node holds")
                .containsExactly("a");
        assertThat(customers(drain(named))).containsExactly("a");

        held.epochs.put("b", 7L);
        feed.taken("b");
        feed.taken("_system");
        List<FeedSubscription.Change> taken = drain(named);
        assertThat(customers(taken)).as("a take-over is a change").containsExactly("b");
        assertThat(customers(drain(every))).containsExactly("b");

        feed.catalogFollowed();
        assertThat(customers(drain(every)))
                .as("a catalog read from the store changes every customer held")
                .containsExactlyInAnyOrder("a", "b");

        held.epochs.remove("a");
        FeedSubscription resumed = feed.subscribe(null, taken.get(0).cursor() - 1, () -> {});
        assertThat(customers(drain(resumed)))
                .as("a resume: changed since, and still held")
                .containsExactly("b");
    }

    @Test
    void a_server_alone_holds_every_customer_without_an_epoch() {
        ChangeFeed feed = new ChangeFeed(FROZEN);
        assertThat(feed.epoch("anyone")).isZero();
    }
}
