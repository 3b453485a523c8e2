package dev.tollgate.core.engine.internal;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.api.UsageReport.Group;
import dev.tollgate.core.api.UsageReport.Period;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Attribution: usage rows summed by any combination of {@code scope}, {@code feature}, {@code dimension.<name>} and a
 * time bucket, {@code day} or {@code hour} ({@link dev.tollgate.core.api.UsageReport.Group}). Credits are summed per
 * currency. The export for billing sums them per feature and period instead ({@link #periods}). Pure.
 *
 * <p>Time buckets are the customer's calendar (its time zone, as budget windows are): {@code day} is the local date
 * the usage happened on ({@code 2026-11-20}), {@code hour} the instant its local hour began ({@code
 * 2026-11-20T09:00:00Z}), so a chart of days or hours is one query.
 */
final class UsageReports {
    private UsageReports() {}

    /**
     * Checks the grouping names.
     *
     * @throws TollgateException {@code INVALID_GROUP_BY} naming the bad one
     */
    static void validate(List<String> groupBy) {
        for (String g : groupBy) {
            boolean ok = g.equals("scope")
                    || g.equals("feature")
                    || g.equals("day")
                    || g.equals("hour")
                    || (g.startsWith("dimension.") && g.length() > "dimension.".length());
            if (!ok) {
                throw TollgateException.invalid(
                        "INVALID_GROUP_BY",
                        "groupBy takes scope, feature, day, hour or dimension.<name>, not '" + g + "'",
                        "groupBy");
            }
        }
    }

    /**
     * Groups usage rows by the given names and sums each group.
     *
     * @param rows the usage rows
     * @param groupBy grouping names, validated
     * @param scopeOf the group value of a row's scope (for a roll-up, its ancestor at some level of the tree)
     * @param zone the customer's time zone, for {@code day} and {@code hour}
     * @return the groups, ordered by their values
     */
    static List<Group> group(
            List<UsageRow> rows, List<String> groupBy, UnaryOperator<@Nullable String> scopeOf, ZoneId zone) {
        Map<String, Map<String, @Nullable String>> keys = new TreeMap<>();
        Map<String, BigDecimal> quantities = new TreeMap<>();
        Map<String, BigDecimal> overages = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> credits = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        for (UsageRow r : rows) {
            Map<String, @Nullable String> key = new LinkedHashMap<>();
            for (String g : groupBy) {
                key.put(g, g.equals("scope") ? scopeOf.apply(r.scope()) : value(r, g, zone));
            }
            String id = key.toString();
            keys.putIfAbsent(id, key);
            quantities.merge(id, r.quantity(), BigDecimal::add);
            overages.merge(id, r.overage(), BigDecimal::add);
            counts.merge(id, 1L, Long::sum);
            Map<String, BigDecimal> byCurrency = credits.computeIfAbsent(id, k -> new TreeMap<>());
            if (r.credits() != null && r.currency() != null) {
                byCurrency.merge(r.currency(), r.credits(), BigDecimal::add);
            }
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, @Nullable String>> e : keys.entrySet()) {
            Map<String, BigDecimal> c = new TreeMap<>();
            Objects.requireNonNull(credits.get(e.getKey())).forEach((k, v) -> c.put(k, Decimals.normalize(v)));
            out.add(new Group(
                    e.getValue(),
                    Decimals.normalize(Objects.requireNonNull(quantities.get(e.getKey()))),
                    c,
                    Objects.requireNonNull(counts.get(e.getKey())),
                    Decimals.normalize(Objects.requireNonNull(overages.get(e.getKey())))));
        }
        return out;
    }

    /**
     * Sums usage rows per feature and the period each counted in.
     *
     * @param rows the usage rows, oldest first
     * @return one entry per feature and period, by feature then period start
     */
    static List<Period> periods(List<UsageRow> rows) {
        Map<String, Map<Instant, List<UsageRow>>> byFeature = new TreeMap<>();
        for (UsageRow r : rows) {
            if (r.feature() == null) {
                continue; // a currency session's settlement: credits of no feature, in usage and the ledger
            }
            byFeature
                    .computeIfAbsent(r.feature(), f -> new TreeMap<>())
                    .computeIfAbsent(r.windowStart(), w -> new ArrayList<>())
                    .add(r);
        }
        List<Period> out = new ArrayList<>();
        byFeature.forEach((feature, windows) -> windows.forEach((start, inWindow) -> {
            BigDecimal used = BigDecimal.ZERO;
            BigDecimal overage = BigDecimal.ZERO;
            Map<String, BigDecimal> credits = new TreeMap<>();
            for (UsageRow r : inWindow) {
                used = used.add(r.quantity());
                overage = overage.add(r.overage());
                if (r.credits() != null && r.currency() != null) {
                    credits.merge(r.currency(), r.credits(), (a, b) -> Decimals.normalize(a.add(b)));
                }
            }
            UsageRow last = inWindow.get(inWindow.size() - 1);
            out.add(new Period(
                    feature,
                    start,
                    last.windowEnd(),
                    last.limit(),
                    Decimals.normalize(used),
                    Decimals.normalize(overage),
                    credits,
                    inWindow.size()));
        }));
        return out;
    }

    private static @Nullable String value(UsageRow r, String g, ZoneId zone) {
        if (g.equals("scope")) {
            return r.scope();
        }
        if (g.equals("day")) {
            return r.occurredAt().atZone(zone).toLocalDate().toString();
        }
        if (g.equals("hour")) {
            return r.occurredAt()
                    .atZone(zone)
                    .truncatedTo(ChronoUnit.HOURS)
                    .toInstant()
                    .toString();
        }
        if (g.equals("feature")) {
            return r.feature();
        }
        return r.dimensions().get(g.substring("dimension.".length()));
    }
}
