package dev.tollgate.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.api.ConsumeRequest;
import dev.tollgate.core.api.CustomerUpdate;
import dev.tollgate.core.api.GrantRequest;
import dev.tollgate.core.api.SubscriptionRequest;
import dev.tollgate.core.api.UsageEvent;
import dev.tollgate.core.billing.BillingPeriod;
import dev.tollgate.core.billing.ExportItem;
import dev.tollgate.core.billing.OutboxEntry;
import dev.tollgate.core.billing.OutboxEntry.Status;
import dev.tollgate.core.billing.PeriodFormat;
import dev.tollgate.core.billing.PeriodLines;
import dev.tollgate.core.credit.AutoRecharge;
import dev.tollgate.core.store.ExportOutbox;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Billing exports on every store (docs/finance.md): a month's invoice-ready lines read through the SPI with a plan
 * change in the middle of a window, soft-limit overage, credits and an auto-recharge, the same bytes every time and
 * after a restart, customers page by page; and the export outbox: enqueued once, claimed by one sender at a time,
 * settled only by its claimer, kept across a restart.
 */
public abstract class BillingContract extends EngineSuite {
    private static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    private static final BillingPeriod NOVEMBER = BillingPeriod.parse("2026-11");

    protected BillingContract() {
        super(NOV, AfterEachTest.VERIFY);
    }

    private static Map<String, Object> catalog(int queriesLimit) {
        return Map.of(
                "currencies",
                List.of(Map.of("key", "credits", "depletion", "hard")),
                "features",
                List.of(
                        Map.of("key", "q", "type", "metered", "reset", "month"),
                        Map.of("key", "tok", "type", "metered", "reset", "day")),
                "rateCards",
                List.of(Map.of("feature", "tok", "currency", "credits", "per", 1, "rate", 1)),
                "plans",
                List.of(
                        Map.of(
                                "key",
                                "basic",
                                "entitlements",
                                Map.of(
                                        "q", Map.of("limit", queriesLimit, "enforcement", "soft"),
                                        "tok", Map.of("limit", "unlimited"))),
                        Map.of("key", "pro", "entitlements", Map.of("q", Map.of("limit", 1000)))));
    }

    @BeforeEach
    void startEngine() throws Exception {
        restart();
        engine().publishCatalog(catalog(100), "contract").get();
    }

    private void customer(String id, String plan) throws Exception {
        engine().upsertCustomer(id, new CustomerUpdate(id, Map.of(), null), null)
                .get();
        engine().subscribe(id, new SubscriptionRequest(plan, List.of(), null, null, null))
                .get();
    }

    private void consume(String customer, String feature, long quantity, String key) throws Exception {
        engine().consume(new ConsumeRequest(customer, feature, BigDecimal.valueOf(quantity), key, null, Map.of()))
                .get();
    }

    /**
     * November: acme on basic v1 (q: 100 a month, soft), 110 q (10 over), 90 tok priced 1 credit each out of 100
     * credits, which leaves 10, under the recharge threshold of 20: a recharge of 50 at 0.02; on the 15th basic v2 (q:
     * 200) and 50 q more in the same window. zeta on pro uses nothing; late arrives in December.
     */
    private void november() throws Exception {
        customer("acme", "basic");
        customer("zeta", "pro");
        engine().grant(
                        "acme",
                        new GrantRequest(
                                "credits", new BigDecimal("100"), false, new BigDecimal("0.01"), 0, null, null, "g1"))
                .get();
        engine().setAutoRecharge(
                        "acme",
                        "credits",
                        new AutoRecharge(
                                "credits",
                                new BigDecimal("20"),
                                null,
                                new BigDecimal("50"),
                                new BigDecimal("0.02"),
                                null,
                                null))
                .get();
        clock.set(Instant.parse("2026-11-05T10:00:00Z"));
        consume("acme", "q", 80, "q1");
        consume("acme", "q", 30, "q2");
        clock.set(Instant.parse("2026-11-10T10:00:00Z"));
        consume("acme", "tok", 90, "t1");
        clock.set(Instant.parse("2026-11-15T00:00:00Z"));
        engine().publishCatalog(catalog(200), "contract").get();
        engine().subscribe(
                        "acme",
                        new SubscriptionRequest(
                                "basic", SubscriptionRequest.VersionChoice.LATEST, List.of(), null, null, null))
                .get();
        clock.set(Instant.parse("2026-11-20T10:00:00Z"));
        consume("acme", "q", 50, "q3");
        clock.set(Instant.parse("2026-12-03T10:00:00Z"));
        customer("late", "basic");
        consume("late", "q", 5, "l1");
        consume("acme", "q", 7, "q4");
    }

    private String csv() {
        StringBuilder out = new StringBuilder(PeriodFormat.CSV_HEADER);
        engine().readPeriod(NOVEMBER, null, lines -> {
            out.append(PeriodFormat.csvRows(NOVEMBER, lines));
            return true;
        });
        return out.toString();
    }

    private static final String EXPECTED = PeriodFormat.CSV_HEADER
            + "2026-11,acme,plan,basic,1,2026-11-01T00:00:00Z,2026-11-15T00:00:00Z,,,,,,,,,,,,,,,,,\r\n"
            + "2026-11,acme,plan,basic,2,2026-11-15T00:00:00Z,2026-12-01T00:00:00Z,,,,,,,,,,,,,,,,,\r\n"
            + "2026-11,acme,feature,basic,1,,,q,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,100,false,110,10,2"
            + ",,,,,,,,,\r\n"
            + "2026-11,acme,feature,basic,2,,,q,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,200,false,50,0,1"
            + ",,,,,,,,,\r\n"
            + "2026-11,acme,feature,basic,1,,,tok,2026-11-10T00:00:00Z,2026-11-11T00:00:00Z,,true,90,0,1"
            + ",,,,,,,,,\r\n"
            + "2026-11,acme,credits,,,,,,,,,,,,,credits,90,0,,,,,,\r\n"
            + "2026-11,acme,recharge,,,,,,,,,,,,,credits,,,recharge:t1,2026-11-10T10:00:00Z,50,0.02,1,t1\r\n"
            + "2026-11,zeta,plan,pro,1,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,,,,,,,,,,,,,,,,,\r\n";

    @Test
    void
            a_month_with_a_plan_change_overage_credits_and_a_recharge_exports_the_same_bytes_every_time_and_after_a_restart()
                    throws Exception {
        november();

        String first = csv();
        assertThat(first).isEqualTo(EXPECTED);
        assertThat(csv()).as("read again").isEqualTo(first);
        restart();
        assertThat(csv()).as("after a restart").isEqualTo(first);
    }

    @Test
    void the_lines_say_which_plan_version_each_usage_was_recorded_on_with_the_limit_it_was_recorded_against()
            throws Exception {
        november();
        List<PeriodLines> all = new ArrayList<>();
        engine().readPeriod(NOVEMBER, null, all::add);

        assertThat(all).extracting(PeriodLines::customerId).containsExactly("acme", "zeta");
        PeriodLines acme = all.get(0);
        assertThat(acme.features())
                .filteredOn(f -> f.feature().equals("q"))
                .extracting(
                        f -> f.planVersion(),
                        f -> f.included().toPlainString(),
                        f -> f.overage().toPlainString())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "100", "10"),
                        org.assertj.core.groups.Tuple.tuple(2, "200", "0"));
        assertThat(acme.recharges())
                .singleElement()
                .satisfies(r -> assertThat(r.charge()).isEqualByComparingTo("1"));
        assertThat(acme.credits())
                .singleElement()
                .satisfies(c -> assertThat(c.consumed()).isEqualByComparingTo("90"));
    }

    @Test
    void a_late_event_is_billed_in_the_month_it_was_recorded_under_the_window_it_counted_in() throws Exception {
        customer("acme", "basic");
        clock.set(Instant.parse("2026-12-01T00:01:00Z"));
        engine().report(List.of(new UsageEvent(
                        "late-1",
                        "acme",
                        "q",
                        BigDecimal.valueOf(4),
                        null,
                        Map.of(),
                        Instant.parse("2026-11-30T23:59:00Z"),
                        null)))
                .get();

        List<PeriodLines> november = new ArrayList<>();
        engine().readPeriod(NOVEMBER, null, november::add);
        List<PeriodLines> december = new ArrayList<>();
        engine().readPeriod(NOVEMBER.next(), null, december::add);

        assertThat(november.get(0).features()).as("recorded in December").isEmpty();
        assertThat(december.get(0).features()).singleElement().satisfies(f -> {
            assertThat(f.windowStart()).isEqualTo(NOV);
            assertThat(f.used()).isEqualByComparingTo("4");
        });
    }

    @Test
    void customers_come_page_by_page_in_the_order_of_their_ids() throws Exception {
        for (String id : List.of("c3", "c1", "b9", "c2", "a0")) {
            customer(id, "pro");
        }
        assertThat(store().customerIds(null, 2)).containsExactly("a0", "b9");
        assertThat(store().customerIds("b9", 2)).containsExactly("c1", "c2");
        assertThat(store().customerIds("c2", 10)).containsExactly("c3");
        assertThat(store().customerIds("c3", 10)).isEmpty();

        List<String> resumed = new ArrayList<>();
        boolean ranOut = engine().readPeriod(NOVEMBER, "b9", lines -> {
            resumed.add(lines.customerId());
            return resumed.size() < 2;
        });
        assertThat(ranOut).as("stopped by the sink").isFalse();
        assertThat(resumed).containsExactly("c1", "c2");
    }

    private static ExportItem item(String id) {
        return new ExportItem(
                id, ExportItem.Kind.METER_EVENT, "acme", "2026-11", Map.of("feature", "q", "used", "3"), "k-" + id);
    }

    @Test
    void the_outbox_adds_an_item_once_and_keeps_it_across_a_restart() {
        ExportOutbox outbox = store().outbox();
        assertThat(outbox.enqueue(List.of(item("a"), item("b")), NOV)).isEqualTo(2);
        assertThat(outbox.enqueue(List.of(item("b"), item("c")), NOV))
                .as("b is there")
                .isEqualTo(1);
        assertThat(outbox.putSetting("since", "2026-11", true)).isEqualTo("2026-11");
        assertThat(outbox.putSetting("since", "2027-01", true))
                .as("only if absent")
                .isEqualTo("2026-11");

        restart();

        List<OutboxEntry> kept = store().outbox().entries(null, null, 10);
        assertThat(kept).extracting(e -> e.item().id()).containsExactly("a", "b", "c");
        assertThat(kept.get(1).item()).isEqualTo(item("b"));
        assertThat(kept).allSatisfy(e -> assertThat(e.status()).isEqualTo(Status.PENDING));
        assertThat(store().outbox().setting("since")).isEqualTo("2026-11");
        assertThat(store().outbox().setting("nothing")).isNull();
    }

    @Test
    void an_item_is_claimed_by_one_sender_at_a_time_and_settled_only_by_its_claimer() {
        ExportOutbox outbox = store().outbox();
        outbox.enqueue(List.of(item("a"), item("b")), NOV);
        Instant t = NOV.plusSeconds(1);

        assertThat(outbox.claim("n1", t, Duration.ofSeconds(60), 1))
                .extracting(e -> e.item().id())
                .containsExactly("a");
        assertThat(outbox.claim("n2", t, Duration.ofSeconds(60), 5))
                .as("a is n1's")
                .extracting(e -> e.item().id())
                .containsExactly("b");
        assertThat(outbox.claim("n3", t, Duration.ofSeconds(60), 5)).isEmpty();
        assertThat(outbox.settle("a", "n2", Status.SENT, t, t, "x", null))
                .as("not n2's claim")
                .isFalse();

        assertThat(outbox.settle("a", "n1", Status.PENDING, t, t.plusSeconds(10), null, "HTTP 500"))
                .isTrue();
        assertThat(outbox.claim("n3", t.plusSeconds(5), Duration.ofSeconds(60), 5))
                .as("not due yet")
                .isEmpty();
        List<OutboxEntry> again = outbox.claim("n3", t.plusSeconds(10), Duration.ofSeconds(60), 5);
        assertThat(again).singleElement().satisfies(e -> {
            assertThat(e.item().id()).isEqualTo("a");
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.error()).isEqualTo("HTTP 500");
        });
        assertThat(outbox.settle("a", "n3", Status.SENT, t.plusSeconds(11), t, "mev_1", null))
                .isTrue();
        assertThat(outbox.claim("n4", t.plusSeconds(100), Duration.ofSeconds(60), 5))
                .as("b's claim ran out; a is sent")
                .extracting(e -> e.item().id())
                .containsExactly("b");
        assertThat(outbox.settle("b", "n2", Status.FAILED, t, t, null, "late"))
                .as("n2's claim was taken over")
                .isFalse();
        assertThat(outbox.settle("b", "n4", Status.FAILED, t.plusSeconds(101), t, null, "HTTP 400 no such meter"))
                .isTrue();

        assertThat(outbox.entries(Status.SENT, null, 10)).singleElement().satisfies(e -> {
            assertThat(e.result()).isEqualTo("mev_1");
            assertThat(e.doneAt()).isEqualTo(t.plusSeconds(11));
        });
        assertThat(outbox.entries(Status.FAILED, null, 10))
                .singleElement()
                .satisfies(e -> assertThat(e.error()).isEqualTo("HTTP 400 no such meter"));
        assertThat(outbox.entries(null, "a", 10)).extracting(e -> e.item().id()).containsExactly("b");
    }

    @Test
    void concurrent_claims_never_hand_out_an_item_twice() throws Exception {
        ExportOutbox outbox = store().outbox();
        List<ExportItem> items = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            items.add(item(String.format("i%03d", i)));
        }
        outbox.enqueue(items, NOV);
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        List<String> twice = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> senders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                String claimer = "s" + s;
                senders.add(pool.submit(() -> {
                    go.await();
                    while (true) {
                        List<OutboxEntry> got = outbox.claim(claimer, NOV.plusSeconds(1), Duration.ofMinutes(5), 7);
                        if (got.isEmpty()) {
                            return null;
                        }
                        for (OutboxEntry e : got) {
                            if (!claimed.add(e.item().id())) {
                                twice.add(e.item().id());
                            }
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : senders) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(twice).isEmpty();
        assertThat(claimed).hasSize(200);
    }
}
