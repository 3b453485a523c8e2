package dev.tollgate.server.feed;

import dev.tollgate.server.http.EventSink;
import dev.tollgate.server.http.StreamHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's change feed as Server-Sent Events: drains its {@link FeedSubscription} into the connection as fast as
 * the client reads, and no faster.
 *
 * <p>Each event is {@code id: <cursor>}, {@code event: state} and one {@code data:} line, the JSON of the customer's
 * state as it is when the event is written (so never older than the change its cursor names), rendered once for every
 * subscriber that writes the same change ({@link SharedRenders}); on a node of a cluster also the fencing {@code epoch}
 * it holds the customer at, and only for customers it holds (their new owner sends the others). A comment line every
 * keep-alive period keeps proxies from closing an idle stream and tells the client the server is there.
 *
 * <p>Back-pressure: events are written only while the connection is writable; a client that reads slowly lets its
 * queue grow, but the queue holds each customer at most once (coalesced), and the engine never waits for it. A client
 * that has not caught up for {@code cutOff} while events wait is disconnected; it resumes from its last cursor.
 *
 * <p>Thread-safety: everything but {@link #wake} runs on the sink's thread; {@link #wake} is called by the journal's
 * follow-up thread and only schedules a drain.
 */
public final class FeedStream implements StreamHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FeedStream.class);

    /** What the stream needs besides the feed. */
    public record Settings(Duration keepAlive, Duration cutOff) {}

    private final ChangeFeed feed;
    private final @Nullable Interest interest;
    private final @Nullable Long since;
    private final SharedRenders renders;
    private final Settings settings;
    private final BooleanSupplier inForce;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private @Nullable EventSink sink;
    private @Nullable FeedSubscription subscription;
    /** When the client stopped keeping up with events waiting ({@link System#nanoTime}), or 0. */
    private long behindSince;

    /**
     * @param renders the events of the customers' changes, called on the sink's thread
     * @param inForce whether the subscriber's credential is still accepted, asked on the sink's thread before each
     *     write (cheap: a revocation since is what it looks for); once it is not, the stream ends
     */
    public FeedStream(
            ChangeFeed feed,
            @Nullable Interest interest,
            @Nullable Long since,
            SharedRenders renders,
            Settings settings,
            BooleanSupplier inForce) {
        this.feed = feed;
        this.interest = interest;
        this.since = since;
        this.renders = renders;
        this.settings = settings;
        this.inForce = inForce;
    }

    @Override
    public void started(EventSink sink) {
        this.sink = sink;
        sink.write(": tollgate change feed\n\n");
        sink.flush();
        this.subscription = feed.subscribe(interest, since, this::wake);
        sink.every(settings.keepAlive(), this::tick);
    }

    @Override
    public void writable() {
        drain();
    }

    @Override
    public void closed() {
        if (subscription != null) {
            subscription.close();
        }
    }

    private void wake() {
        EventSink s = sink;
        if (s != null && drainScheduled.compareAndSet(false, true)) {
            s.execute(this::drain);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        EventSink s = sink;
        FeedSubscription sub = subscription;
        if (s == null || sub == null || revoked(s)) {
            return;
        }
        boolean wrote = false;
        while (s.writable()) {
            FeedSubscription.Change c = sub.poll();
            if (c == null) {
                break;
            }
            String event = renders.event(c.customerId(), c.cursor());
            if (event != null) {
                s.write(event);
                wrote = true;
            }
        }
        if (wrote) {
            s.flush();
        }
        behindSince = s.writable() || sub.queued() == 0 ? 0 : behindSince == 0 ? System.nanoTime() : behindSince;
    }

    /** Whether the subscriber's credential was revoked (or expired): then the stream is closed, nothing more sent. */
    private boolean revoked(EventSink s) {
        return closedIfRevoked(s, inForce);
    }

    /**
     * Closes {@code s} when its subscriber's credential is no longer in force ({@code inForce} says no), for this
     * feed and the cluster's merged one alike. Call it on the sink's thread before writing.
     *
     * @return whether it closed the stream: then nothing more may be written
     */
    public static boolean closedIfRevoked(EventSink s, BooleanSupplier inForce) {
        if (inForce.getAsBoolean()) {
            return false;
        }
        LOG.info("event=feed_subscriber_closed reason=\"its credential is no longer in force\"");
        s.close();
        return true;
    }

    private void tick() {
        EventSink s = sink;
        FeedSubscription sub = subscription;
        if (s == null || sub == null || revoked(s)) {
            return;
        }
        if (behindSince != 0
                && System.nanoTime() - behindSince > settings.cutOff().toNanos()) {
            LOG.info(
                    "event=feed_subscriber_cut_off queued={} hint=\"the client read too slowly; it resumes from its"
                            + " last cursor\"",
                    sub.queued());
            s.close();
            return;
        }
        if (s.writable()) {
            s.write(": keep-alive\n\n");
            s.flush();
        }
        drain();
    }
}
