package dev.tollgate.core.engine;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.TollgateException;
import dev.tollgate.core.store.UsageRow;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Attribution: usage rows summed by any combination of {@code scope}, {@code feature} and {@code dimension.<name>}.
 * Credits are summed per currency. Pure.
 */
public final class UsageReport {
    private UsageReport() {}

    /**
     * One group of usage.
     *
     * @param group the grouping values ({@code null} where a row had none), in the order asked
     * @param quantity the summed quantity
     * @param credits the summed credits by currency (empty if nothing was priced)
     * @param events how many usage rows
     */
    public record Group(
            Map<String, @Nullable String> group, BigDecimal quantity, Map<String, BigDecimal> credits, long events) {}

    /**
     * Checks the grouping names.
     *
     * @throws TollgateException {@code INVALID_GROUP_BY} naming the bad one
     */
    public static void validate(List<String> groupBy) {
        for (String g : groupBy) {
            boolean ok = g.equals("scope")
                    || g.equals("feature")
                    || (g.startsWith("dimension.") && g.length() > "dimension.".length());
            if (!ok) {
                throw TollgateException.invalid(
                        "INVALID_GROUP_BY",
                        "groupBy takes scope, feature or dimension.<name>, not '" + g + "'",
                        "groupBy");
            }
        }
    }

    /**
     * @param rows the usage rows
     * @param groupBy grouping names, validated
     * @return the groups, ordered by their values
     */
    public static List<Group> group(List<UsageRow> rows, List<String> groupBy) {
        Map<String, Map<String, @Nullable String>> keys = new TreeMap<>();
        Map<String, BigDecimal> quantities = new TreeMap<>();
        Map<String, Map<String, BigDecimal>> credits = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        for (UsageRow r : rows) {
            Map<String, @Nullable String> key = new LinkedHashMap<>();
            for (String g : groupBy) {
                key.put(g, value(r, g));
            }
            String id = key.toString();
            keys.putIfAbsent(id, key);
            quantities.merge(id, r.quantity(), BigDecimal::add);
            counts.merge(id, 1L, Long::sum);
            Map<String, BigDecimal> byCurrency = credits.computeIfAbsent(id, k -> new TreeMap<>());
            if (r.credits() != null && r.currency() != null) {
                byCurrency.merge(r.currency(), r.credits(), BigDecimal::add);
            }
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, @Nullable String>> e : keys.entrySet()) {
            Map<String, BigDecimal> c = new TreeMap<>();
            credits.get(e.getKey()).forEach((k, v) -> c.put(k, Decimals.normalize(v)));
            out.add(new Group(e.getValue(), Decimals.normalize(quantities.get(e.getKey())), c, counts.get(e.getKey())));
        }
        return out;
    }

    private static @Nullable String value(UsageRow r, String g) {
        if (g.equals("scope")) {
            return r.scope();
        }
        if (g.equals("feature")) {
            return r.feature();
        }
        return r.dimensions().get(g.substring("dimension.".length()));
    }
}
