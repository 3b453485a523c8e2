package dev.tollgate.core.billing;

import dev.tollgate.core.billing.PeriodLines.FeatureLine;
import dev.tollgate.core.billing.PeriodLines.RechargeLine;
import dev.tollgate.core.json.IsoInstant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One thing an exporter sends a billing provider, as the store's outbox keeps it: what it is, whose, and its content,
 * all derived from Tollgate's records, so that the same record always gives the same item, with the same {@link #id}
 * and {@link #key}.
 *
 * <ul>
 *   <li>{@link Kind#METER_EVENT}: one {@link FeatureLine} of a closed period with usage: {@code feature}, {@code used},
 *       {@code overage}, {@code windowStart}, {@code plan}, {@code planVersion}, {@code periodEnd}.
 *   <li>{@link Kind#INVOICE_ITEM}: one {@link RechargeLine}: {@code grantId}, {@code currency}, {@code amount}, {@code
 *       costBasis}, {@code charge}, {@code at}.
 * </ul>
 *
 * @param id unique in the outbox: the kind, customer, period and line it comes from
 * @param kind what it is
 * @param customerId the customer
 * @param period the billing period ({@code yyyy-mm}) it belongs to
 * @param fields its content: decimals as plain strings, instants as ISO-8601
 * @param key the idempotency key sent with it (Stripe's {@code identifier} and {@code Idempotency-Key}): {@code tg-}
 *     and 32 characters of the SHA-256 of {@link #id}, within the 100 characters Stripe allows
 */
public record ExportItem(
        String id, Kind kind, String customerId, String period, Map<String, String> fields, String key) {

    public ExportItem {
        fields = Map.copyOf(fields);
    }

    /** What an item is. */
    public enum Kind {
        /** Usage of a feature in a closed period. */
        METER_EVENT,
        /** A recharge to charge for. */
        INVOICE_ITEM
    }

    /** The items of one customer's closed period: a meter event per feature line with usage, an invoice item per recharge. */
    public static List<ExportItem> of(BillingPeriod period, PeriodLines lines) {
        List<ExportItem> items = new ArrayList<>();
        for (FeatureLine f : lines.features()) {
            if (f.used().signum() <= 0) {
                continue;
            }
            String plan = f.plan() == null ? "-" : f.plan() + "@" + f.planVersion();
            String id = "meter:" + lines.customerId() + ":" + period + ":" + f.feature() + ":"
                    + IsoInstant.format(f.windowStart()) + ":" + plan;
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("feature", f.feature());
            fields.put("used", f.used().toPlainString());
            fields.put("overage", f.overage().toPlainString());
            fields.put("windowStart", IsoInstant.format(f.windowStart()));
            fields.put("plan", plan);
            fields.put("periodEnd", IsoInstant.format(period.to()));
            items.add(new ExportItem(id, Kind.METER_EVENT, lines.customerId(), period.toString(), fields, key(id)));
        }
        for (RechargeLine r : lines.recharges()) {
            String id = "recharge:" + lines.customerId() + ":" + r.grantId();
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("grantId", r.grantId());
            fields.put("currency", r.currency());
            fields.put("amount", r.amount().toPlainString());
            fields.put("costBasis", r.costBasis().toPlainString());
            fields.put("charge", r.charge().toPlainString());
            fields.put("at", IsoInstant.format(r.at()));
            items.add(new ExportItem(id, Kind.INVOICE_ITEM, lines.customerId(), period.toString(), fields, key(id)));
        }
        return items;
    }

    /** The field, which every item of its kind has. */
    public String field(String name) {
        String v = fields.get(name);
        if (v == null) {
            throw new IllegalStateException("export item " + id + " has no field " + name);
        }
        return v;
    }

    /** {@code tg-} and the first 192 bits of the SHA-256 of {@code id}, base64url. */
    static String key(String id) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "tg-" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 24));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
