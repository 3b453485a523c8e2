package dev.tollgate.core.credit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.credit.EntryType;
import dev.tollgate.core.credit.Grant;
import dev.tollgate.core.credit.Movement;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class HousekeepingTest {
    private static final Instant START = Instant.parse("2026-01-31T00:00:00Z");

    private static Allotment monthly(String amount) {
        return new Allotment(
                "plan:p@1#0",
                new CreditAllotment("credits", new BigDecimal(amount), ResetPeriod.MONTH, true, true, 0),
                BigDecimal.ONE,
                START,
                null,
                START,
                ZoneOffset.UTC,
                Set.of("plan:p@1#0"));
    }

    @Test
    void missed_periods_are_issued_and_expired_in_time_order_and_the_accounts_passed_in_stay_unchanged() {
        Map<String, CreditAccount> accounts = Map.of();
        List<LedgerChange> due =
                Housekeeping.due(accounts, List.of(monthly("100")), Instant.parse("2026-03-05T00:00:00Z"));

        assertThat(due)
                .extracting(c -> c instanceof LedgerChange.NewGrant g
                        ? "GRANT " + g.grant().effectiveAt()
                        : "EXPIRE " + ((LedgerChange.Moves) c).time())
                .containsExactly(
                        "GRANT 2026-01-31T00:00:00Z", "EXPIRE 2026-02-28T00:00:00Z", "GRANT 2026-02-28T00:00:00Z");
        assertThat(accounts).isEmpty();
    }

    @Test
    void an_issued_period_is_not_issued_again_and_nothing_is_due_between_boundaries() {
        CreditAccount account = new CreditAccount("credits");
        for (LedgerChange c : Housekeeping.due(Map.of(), List.of(monthly("100")), START)) {
            account.add(((LedgerChange.NewGrant) c).grant());
        }
        assertThat(Housekeeping.due(Map.of("credits", account), List.of(monthly("100")), START.plusSeconds(86_400)))
                .isEmpty();
        assertThat(Housekeeping.due(Map.of("credits", account), List.of(monthly("0")), START))
                .isEmpty();
    }

    @Test
    void a_grant_that_becomes_effective_pays_back_the_overdraft_at_its_start() {
        CreditAccount account = new CreditAccount("tokens");
        Instant later = START.plusSeconds(3600);
        account.add(
                new Grant("g1", "tokens", new BigDecimal("10"), false, BigDecimal.ZERO, 0, later, null, "api", null));
        account.move(EntryType.CONSUME, List.of(new Movement(null, new BigDecimal("-4"))));
        account.advance(START);

        assertThat(Housekeeping.due(Map.of("tokens", account), List.of(), later.minusNanos(1)))
                .isEmpty();
        List<LedgerChange> due = Housekeeping.due(Map.of("tokens", account), List.of(), later.plusSeconds(60));
        assertThat(due).singleElement().satisfies(c -> {
            LedgerChange.Moves m = (LedgerChange.Moves) c;
            assertThat(m.type()).isEqualTo(EntryType.OVERDRAFT_REPAID);
            assertThat(m.time()).isEqualTo(later);
            assertThat(m.movements())
                    .containsExactly(new Movement("g1", new BigDecimal("-4")), new Movement(null, new BigDecimal("4")));
        });
    }

    private static Allotment of(String source, String amount, ResetPeriod every, Set<String> family) {
        return new Allotment(
                source,
                new CreditAllotment("credits", new BigDecimal(amount), every, true, false, 0),
                BigDecimal.ONE,
                START,
                null,
                START,
                ZoneOffset.UTC,
                family);
    }

    private static CreditAccount issued(Map<String, CreditAccount> accounts, List<Allotment> allotments) {
        CreditAccount account = accounts.getOrDefault("credits", new CreditAccount("credits"));
        for (LedgerChange c : Housekeeping.due(accounts, allotments, START)) {
            account.add(((LedgerChange.NewGrant) c).grant());
        }
        return account;
    }

    @Test
    void a_period_is_topped_up_to_the_family_s_allotments_once_across_versions_and_cadences() {
        Set<String> monthly = Set.of("plan:p@1#0", "plan:p@2#0", "plan:p@2#1");
        Set<String> yearly = Set.of("plan:p@1#1", "plan:p@2#2");
        CreditAccount v1 = issued(
                Map.of(),
                List.of(
                        of("plan:p@1#0", "100", ResetPeriod.MONTH, monthly),
                        of("plan:p@1#1", "1200", ResetPeriod.YEAR, yearly)));
        assertThat(v1.slots())
                .extracting(s -> s.grant().amount().toPlainString())
                .containsExactly("100", "1200");

        List<Allotment> v2 = List.of(
                of("plan:p@2#0", "100", ResetPeriod.MONTH, monthly),
                of("plan:p@2#1", "50", ResetPeriod.MONTH, monthly),
                of("plan:p@2#2", "1200", ResetPeriod.YEAR, yearly));
        List<LedgerChange> due = Housekeeping.due(Map.of("credits", v1), v2, START.plusSeconds(60));

        assertThat(due)
                .as("only the monthly difference; the yearly grant starting at the same instant is another family")
                .singleElement()
                .satisfies(c -> {
                    Grant g = ((LedgerChange.NewGrant) c).grant();
                    assertThat(g.amount()).isEqualByComparingTo("50");
                    assertThat(g.reference()).isEqualTo("plan:p@2#0");
                    assertThat(g.effectiveAt()).isEqualTo(START);
                });
        CreditAccount v2Account = issued(Map.of("credits", v1), v2);
        assertThat(Housekeeping.due(Map.of("credits", v2Account), v2, START.plusSeconds(120)))
                .isEmpty();
    }

    private static final Set<String> FAMILY =
            Set.of("plan:p@1#0", "plan:p@2#0", "plan:p@3#0", "plan:p@1#1", "plan:p@2#1", "plan:p@3#1");

    /** The monthly allotment of {@code source} in {@link #FAMILY}, taken at {@code from}. */
    private static Allotment version(String source, String amount, Instant from) {
        return new Allotment(
                source,
                new CreditAllotment("credits", new BigDecimal(amount), ResetPeriod.MONTH, true, true, 0),
                BigDecimal.ONE,
                from,
                null,
                START,
                ZoneOffset.UTC,
                FAMILY);
    }

    /** Applies changes as the engine's records do. */
    private static void record(Map<String, CreditAccount> accounts, List<LedgerChange> changes, Instant t) {
        for (LedgerChange c : changes) {
            if (c instanceof LedgerChange.NewGrant g) {
                accounts.computeIfAbsent(g.grant().currency(), CreditAccount::new)
                        .add(g.grant());
            } else {
                LedgerChange.Moves m = (LedgerChange.Moves) c;
                accounts.computeIfAbsent(m.currency(), CreditAccount::new).move(m.type(), m.movements());
            }
        }
        accounts.values().forEach(a -> a.advance(t));
    }

    @Test
    void issue_15_review_a_family_given_in_full_is_skipped_until_its_next_period_and_a_bigger_version_tops_up() {
        Map<String, CreditAccount> accounts = new HashMap<>();
        record(accounts, Housekeeping.due(accounts, List.of(version("plan:p@1#0", "100", START)), START), START);
        Instant moved = START.plus(java.time.Duration.ofDays(3));
        List<Allotment> smaller = List.of(version("plan:p@2#0", "80", moved));
        Housekeeping.Settled settled = new Housekeeping.Settled(smaller.size());

        assertThat(Housekeeping.due(accounts, smaller, moved, settled))
                .as("the period's 100 are more than v2's 80")
                .isEmpty();
        assertThat(Housekeeping.due(Map.of(), smaller, moved.plusSeconds(60), settled))
                .as("skipped: not even looked at (accounts without the grant break the memo's contract on purpose)")
                .isEmpty();
        assertThat(Housekeeping.due(Map.of(), smaller, moved.plusSeconds(60)))
                .as("what the same call answers when the allotment is looked at")
                .hasSize(1);

        Instant march = Instant.parse("2026-02-28T00:00:00Z");
        assertThat(Housekeeping.due(accounts, smaller, march, settled))
                .as("the next period starts: looked at again, and v2's 80 are due")
                .filteredOn(c -> c instanceof LedgerChange.NewGrant)
                .singleElement()
                .satisfies(c ->
                        assertThat(((LedgerChange.NewGrant) c).grant().amount()).isEqualByComparingTo("80"));

        List<Allotment> bigger = List.of(version("plan:p@3#0", "250", moved));
        assertThat(Housekeeping.due(accounts, bigger, moved.plusSeconds(120), new Housekeeping.Settled(1)))
                .as("another version, another memo: tops the period up to 250")
                .singleElement()
                .satisfies(c ->
                        assertThat(((LedgerChange.NewGrant) c).grant().amount()).isEqualByComparingTo("150"));
    }

    @Test
    void issue_15_review_the_settled_memo_never_changes_what_is_due() {
        long seed = Long.getLong("tollgate.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int run = 0; run < 200; run++) {
            Map<String, CreditAccount> accounts = new HashMap<>();
            Instant t = START;
            List<Allotment> allotments = List.of(version("plan:p@1#0", "100", START));
            Housekeeping.Settled settled = new Housekeeping.Settled(1);
            for (int step = 0; step < 40; step++) {
                switch (r.nextInt(6)) {
                    case 0 -> t = t.plus(java.time.Duration.ofHours(1 + r.nextInt(24 * 20)));
                    case 1 -> {
                        // a version move: new allotments, a new memo (as the per-customer cache makes them)
                        int v = 1 + r.nextInt(3);
                        List<Allotment> next = new ArrayList<>();
                        next.add(version("plan:p@" + v + "#0", String.valueOf(50 * (1 + r.nextInt(6))), t));
                        if (r.nextBoolean()) {
                            next.add(version("plan:p@" + v + "#1", String.valueOf(50 * (1 + r.nextInt(6))), t));
                        }
                        allotments = List.copyOf(next);
                        settled = new Housekeeping.Settled(allotments.size());
                    }
                    case 2 -> record(accounts, Housekeeping.due(accounts, allotments, t), t);
                    case 3 -> {
                        CreditAccount a = accounts.computeIfAbsent("credits", CreditAccount::new);
                        a.add(new Grant(
                                "api-" + step,
                                "credits",
                                BigDecimal.TEN,
                                false,
                                BigDecimal.ZERO,
                                0,
                                t,
                                null,
                                "api",
                                null));
                    }
                    default -> {}
                }
                List<LedgerChange> expected = Housekeeping.due(accounts, allotments, t);
                assertThat(Housekeeping.due(accounts, allotments, t, settled))
                        .as("seed=%d run=%d step=%d", seed, run, step)
                        .isEqualTo(expected);
            }
        }
    }
}
