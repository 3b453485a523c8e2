package dev.tollgate.core.credit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.catalog.CreditAllotment;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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
}
