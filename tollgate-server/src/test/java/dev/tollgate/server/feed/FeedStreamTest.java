package dev.tollgate.server.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.journal.JournalEntry;
import dev.tollgate.server.http.EventSink;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedStreamTest {
    /** A sink that runs everything at once, on the caller's thread, and keeps what was written. */
    private static final class RecordingSink implements EventSink {
        final StringBuilder sent = new StringBuilder();
        final List<Runnable> ticks = new ArrayList<>();
        boolean writable = true;
        boolean closed;

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void write(String text) {
            sent.append(text);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void abort() {
            closed = true;
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void every(Duration period, Runnable task) {
            ticks.add(task);
        }

        void tick() {
            ticks.forEach(Runnable::run);
        }
    }

    private static JournalEntry changeOf(String customerId) {
        return new JournalEntry.AlertDelivered(customerId, Instant.EPOCH, null, "a", "w");
    }

    private static FeedStream stream(ChangeFeed feed, Duration cutOff) {
        return stream(feed, cutOff, () -> true);
    }

    private static FeedStream stream(ChangeFeed feed, Duration cutOff, java.util.function.BooleanSupplier inForce) {
        return new FeedStream(
                feed,
                null,
                null,
                new SharedRenders(id -> Map.of("exists", true), System::nanoTime),
                new FeedStream.Settings(Duration.ofSeconds(15), cutOff),
                inForce);
    }

    @Test
    void a_subscriber_whose_credential_is_no_longer_in_force_is_sent_nothing_more_and_closed() {
        ChangeFeed feed = new ChangeFeed(InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z")));
        RecordingSink sink = new RecordingSink();
        java.util.concurrent.atomic.AtomicBoolean inForce = new java.util.concurrent.atomic.AtomicBoolean(true);
        FeedStream stream = stream(feed, Duration.ofDays(1), inForce::get);
        stream.started(sink);
        feed.committed(1, List.of(changeOf("acme")), 0);
        int before = sink.sent.length();
        assertThat(sink.sent.toString()).contains("\"customerId\":\"acme\"");

        inForce.set(false);
        feed.committed(2, List.of(changeOf("globex")), 0);
        assertThat(sink.sent.length())
                .as("nothing written after the revocation")
                .isEqualTo(before);
        assertThat(sink.closed).isTrue();
        stream.closed();
        assertThat(feed.subscribers()).isZero();
    }

    @Test
    void a_quiet_stream_whose_credential_was_revoked_is_closed_at_its_keep_alive() {
        ChangeFeed feed = new ChangeFeed(InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z")));
        RecordingSink sink = new RecordingSink();
        java.util.concurrent.atomic.AtomicBoolean inForce = new java.util.concurrent.atomic.AtomicBoolean(true);
        stream(feed, Duration.ofDays(1), inForce::get).started(sink);
        inForce.set(false);
        sink.tick();
        assertThat(sink.closed).isTrue();
        assertThat(sink.sent.toString()).doesNotContain("keep-alive");
    }

    @Test
    void writes_each_change_as_a_server_sent_event_with_its_cursor_as_id() {
        ChangeFeed feed = new ChangeFeed(InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z")));
        RecordingSink sink = new RecordingSink();
        stream(feed, Duration.ofSeconds(30)).started(sink);

        feed.committed(1, List.of(changeOf("acme")), 0);

        String cursor = Long.toString(feed.bootCursor() + 1);
        assertThat(sink.sent.toString())
                .endsWith("id: " + cursor + "\nevent: state\ndata: {\"customerId\":\"acme\",\"cursor\":\"" + cursor
                        + "\",\"exists\":true}\n\n");
    }

    @Test
    void a_client_that_does_not_keep_up_gets_nothing_more_written_and_is_cut_off_after_the_cut_off_time() {
        ChangeFeed feed = new ChangeFeed(InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z")));
        RecordingSink sink = new RecordingSink();
        FeedStream stream = stream(feed, Duration.ZERO);
        stream.started(sink);
        int before = sink.sent.length();

        sink.writable = false;
        feed.committed(1, List.of(changeOf("a"), changeOf("b")), 0);
        assertThat(sink.sent.length()).isEqualTo(before);
        sink.tick();

        assertThat(sink.closed).isTrue();
        stream.closed();
        assertThat(feed.subscribers()).isZero();
    }

    @Test
    void a_client_that_catches_up_is_sent_what_waited_and_stays_connected() {
        ChangeFeed feed = new ChangeFeed(InstantSource.fixed(Instant.parse("2026-11-30T00:00:00Z")));
        RecordingSink sink = new RecordingSink();
        FeedStream stream = stream(feed, Duration.ofDays(1));
        stream.started(sink);

        sink.writable = false;
        feed.committed(1, List.of(changeOf("a"), changeOf("b")), 0);
        sink.tick();
        sink.writable = true;
        stream.writable();

        assertThat(sink.closed).isFalse();
        assertThat(sink.sent.toString()).contains("\"customerId\":\"a\"").contains("\"customerId\":\"b\"");
    }
}
