package dev.tollgate.core.billing;

import dev.tollgate.core.billing.PeriodLines.CreditLine;
import dev.tollgate.core.billing.PeriodLines.FeatureLine;
import dev.tollgate.core.billing.PeriodLines.PlanLine;
import dev.tollgate.core.billing.PeriodLines.RechargeLine;
import dev.tollgate.core.json.IsoInstant;
import dev.tollgate.core.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The text of a period export, JSON and CSV, the same bytes for the same lines: fields in a fixed order, decimals
 * plain without trailing zeros, instants as ISO-8601 UTC ({@link IsoInstant}), nothing that depends on when or where
 * it is written. The server streams it: {@link #jsonHead}, one {@link #jsonCustomer} per customer (comma-separated),
 * {@link #jsonTail}; or {@link #CSV_HEADER} and {@link #csvRows} per customer. {@code docs/finance.md} says what each
 * field means.
 *
 * <p>Thread-safe: stateless.
 */
public final class PeriodFormat {
    /** The CSV columns, in order: one row per line, {@code line} naming its kind. */
    public static final List<String> CSV_COLUMNS = List.of(
            "period",
            "customerId",
            "line",
            "plan",
            "planVersion",
            "from",
            "to",
            "feature",
            "windowStart",
            "windowEnd",
            "included",
            "unlimited",
            "used",
            "overage",
            "events",
            "currency",
            "consumed",
            "refunded",
            "grantId",
            "at",
            "amount",
            "costBasis",
            "charge",
            "trigger");

    /** The CSV header line, CRLF-terminated (RFC 4180). */
    public static final String CSV_HEADER = String.join(",", CSV_COLUMNS) + "\r\n";

    private PeriodFormat() {}

    /** The JSON answer up to its first customer: the object with {@code period}, {@code from}, {@code to}, {@code closed}, opening {@code customers}. */
    public static String jsonHead(BillingPeriod period, boolean closed) {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("period", period.toString());
        head.put("from", IsoInstant.format(period.from()));
        head.put("to", IsoInstant.format(period.to()));
        head.put("closed", closed);
        String text = Json.write(head);
        return text.substring(0, text.length() - 1) + ",\"customers\":[";
    }

    /** The JSON answer after its last customer: the next page's cursor ({@code null} on the last page). */
    public static String jsonTail(@Nullable String nextCursor) {
        return "],\"nextCursor\":" + Json.write(nextCursor) + "}";
    }

    /** One customer's lines as a JSON object. */
    public static String jsonCustomer(PeriodLines lines) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("customerId", lines.customerId());
        List<Object> plans = new ArrayList<>();
        for (PlanLine p : lines.plans()) {
            plans.add(plan(p));
        }
        c.put("plans", plans);
        List<Object> features = new ArrayList<>();
        for (FeatureLine f : lines.features()) {
            features.add(feature(f));
        }
        c.put("features", features);
        List<Object> credits = new ArrayList<>();
        for (CreditLine cr : lines.credits()) {
            credits.add(credit(cr));
        }
        c.put("credits", credits);
        List<Object> recharges = new ArrayList<>();
        for (RechargeLine r : lines.recharges()) {
            recharges.add(recharge(r));
        }
        c.put("recharges", recharges);
        return Json.write(c);
    }

    /** One customer's lines as CSV rows (plans, features, credits, recharges), each CRLF-terminated. */
    public static String csvRows(BillingPeriod period, PeriodLines lines) {
        StringBuilder out = new StringBuilder();
        for (PlanLine p : lines.plans()) {
            row(out, period, lines.customerId(), "plan", plan(p));
        }
        for (FeatureLine f : lines.features()) {
            row(out, period, lines.customerId(), "feature", feature(f));
        }
        for (CreditLine cr : lines.credits()) {
            row(out, period, lines.customerId(), "credits", credit(cr));
        }
        for (RechargeLine r : lines.recharges()) {
            row(out, period, lines.customerId(), "recharge", recharge(r));
        }
        return out.toString();
    }

    private static Map<String, Object> plan(PlanLine p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", p.plan());
        m.put("planVersion", p.planVersion());
        m.put("from", IsoInstant.format(p.from()));
        m.put("to", IsoInstant.format(p.to()));
        return m;
    }

    private static Map<String, @Nullable Object> feature(FeatureLine f) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("feature", f.feature());
        m.put("plan", f.plan());
        m.put("planVersion", f.planVersion());
        m.put("windowStart", IsoInstant.format(f.windowStart()));
        m.put("windowEnd", instant(f.windowEnd()));
        m.put("included", f.included());
        m.put("unlimited", f.included() == null);
        m.put("used", f.used());
        m.put("overage", f.overage());
        m.put("events", f.events());
        return m;
    }

    private static Map<String, Object> credit(CreditLine c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("currency", c.currency());
        m.put("consumed", c.consumed());
        m.put("refunded", c.refunded());
        return m;
    }

    private static Map<String, @Nullable Object> recharge(RechargeLine r) {
        Map<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("grantId", r.grantId());
        m.put("at", IsoInstant.format(r.at()));
        m.put("currency", r.currency());
        m.put("amount", r.amount());
        m.put("costBasis", r.costBasis());
        m.put("charge", r.charge());
        m.put("trigger", r.trigger());
        return m;
    }

    private static @Nullable String instant(@Nullable Instant t) {
        return t == null ? null : IsoInstant.format(t);
    }

    /** One CSV row: every column, the line's own fields filled, the others empty; quoted as RFC 4180 says. */
    private static void row(
            StringBuilder out, BillingPeriod period, String customerId, String line, Map<String, ?> fields) {
        Map<String, @Nullable Object> all = new LinkedHashMap<>(fields);
        all.put("period", period.toString());
        all.put("customerId", customerId);
        all.put("line", line);
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            Object v = all.get(CSV_COLUMNS.get(i));
            String text = v == null ? "" : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
            if (i > 0) {
                out.append(',');
            }
            boolean quote = text.indexOf(',') >= 0
                    || text.indexOf('"') >= 0
                    || text.indexOf('\r') >= 0
                    || text.indexOf('\n') >= 0;
            out.append(quote ? '"' + text.replace("\"", "\"\"") + '"' : text);
        }
        out.append("\r\n");
    }
}
