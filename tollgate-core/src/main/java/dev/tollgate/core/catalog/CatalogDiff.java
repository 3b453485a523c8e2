package dev.tollgate.core.catalog;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What changed from one catalog version to another, feature by feature, currency by currency, plan by plan, add-on by
 * add-on and rate card by rate card.
 *
 * <p>Fields: each entry is flattened into fields named in the catalog document's own words ({@code reset},
 * {@code price.amount}, {@code entitlements.q.limit}, {@code credits[0].amount}, {@code byDimension.model.gpt-4o},
 * {@code tiers[1].rate}); a change is a field whose value differs, {@code null} standing for "absent". Values are JSON
 * scalars: strings (enum values in their document spelling, {@code "unlimited"} for a limit without one), decimals,
 * whole numbers and booleans. Plans are compared flattened through their parents, as subscriptions see them. An added
 * entry lists every field from {@code null}, a removed one every field to {@code null}. Rate cards are keyed {@code
 * feature/currency}, costs by feature.
 *
 * <p>Immutable and thread-safe.
 *
 * @param fromVersion the earlier catalog version (0 for the empty catalog)
 * @param toVersion the later catalog version
 * @param features by feature key
 * @param currencies by currency key
 * @param plans by plan key, with plan versions
 * @param addons by add-on key, with add-on versions
 * @param rateCards by {@code feature/currency}
 * @param costs by feature key
 */
public record CatalogDiff(
        int fromVersion,
        int toVersion,
        Section features,
        Section currencies,
        Section plans,
        Section addons,
        Section rateCards,
        Section costs) {

    /**
     * The entries of one kind that were added, removed or changed, each list in key order.
     *
     * @param added present only in the later version
     * @param removed present only in the earlier version
     * @param changed present in both, with at least one field changed (or, for plans and add-ons, a new version)
     */
    public record Section(List<Entry> added, List<Entry> removed, List<Entry> changed) {
        public Section {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }

        /** Tells whether nothing of this kind changed. */
        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /**
     * One entry that was added, removed or changed.
     *
     * @param key its key
     * @param fromVersion a plan's or add-on's version before, or {@code null} (absent, or not versioned)
     * @param toVersion a plan's or add-on's version after, or {@code null} (absent, or not versioned)
     * @param changes its fields that differ, in document order
     */
    public record Entry(
            String key,
            @Nullable Integer fromVersion,
            @Nullable Integer toVersion,
            List<Change> changes) {
        public Entry {
            changes = List.copyOf(changes);
        }
    }

    /**
     * One field that differs.
     *
     * @param field the field's path within its entry ({@code entitlements.q.limit})
     * @param from the value before, or {@code null} if absent
     * @param to the value after, or {@code null} if absent
     */
    public record Change(
            String field, @Nullable Object from, @Nullable Object to) {}

    /** Tells whether the two versions have the same content. */
    public boolean isEmpty() {
        return features.isEmpty()
                && currencies.isEmpty()
                && plans.isEmpty()
                && addons.isEmpty()
                && rateCards.isEmpty()
                && costs.isEmpty();
    }

    /**
     * Compares two catalogs.
     *
     * @param before the earlier version ({@link Catalog#empty()} for the first)
     * @param after the later version
     * @return what changed from {@code before} to {@code after}
     */
    public static CatalogDiff between(Catalog before, Catalog after) {
        CatalogDefinition a = before.definition();
        CatalogDefinition b = after.definition();
        return new CatalogDiff(
                before.version(),
                after.version(),
                section(a.features(), b.features(), CatalogDiff::feature, f -> null),
                section(a.currencies(), b.currencies(), CatalogDiff::currency, c -> null),
                section(before.plans(), after.plans(), CatalogDiff::plan, PlanVersion::version),
                section(before.addons(), after.addons(), CatalogDiff::addon, AddonVersion::version),
                section(byKey(a.rateCards()), byKey(b.rateCards()), CatalogDiff::rateCard, r -> null),
                section(a.costs(), b.costs(), CatalogDiff::cost, c -> null));
    }

    private static Map<String, RateCard> byKey(List<RateCard> cards) {
        Map<String, RateCard> out = new LinkedHashMap<>();
        cards.forEach(c -> out.put(c.feature() + "/" + c.currency(), c));
        return out;
    }

    private static <T> Section section(
            Map<String, T> before,
            Map<String, T> after,
            Function<T, Map<String, Object>> fields,
            Function<T, @Nullable Integer> version) {
        Set<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<Entry> added = new ArrayList<>();
        List<Entry> removed = new ArrayList<>();
        List<Entry> changed = new ArrayList<>();
        for (String key : keys) {
            T was = before.get(key);
            T is = after.get(key);
            Map<String, Object> wasFields = was == null ? Map.of() : fields.apply(was);
            Map<String, Object> isFields = is == null ? Map.of() : fields.apply(is);
            List<Change> changes = changes(wasFields, isFields);
            Integer wasVersion = was == null ? null : version.apply(was);
            Integer isVersion = is == null ? null : version.apply(is);
            Entry entry = new Entry(key, wasVersion, isVersion, changes);
            if (was == null) {
                added.add(entry);
            } else if (is == null) {
                removed.add(entry);
            } else if (!changes.isEmpty() || !Objects.equals(wasVersion, isVersion)) {
                changed.add(entry);
            }
        }
        return new Section(added, removed, changed);
    }

    private static List<Change> changes(Map<String, Object> before, Map<String, Object> after) {
        Set<String> fields = new LinkedHashSet<>(after.keySet());
        fields.addAll(before.keySet());
        List<Change> out = new ArrayList<>();
        for (String field : fields) {
            Object was = before.get(field);
            Object is = after.get(field);
            if (!same(was, is)) {
                out.add(new Change(field, was, is));
            }
        }
        return out;
    }

    private static boolean same(@Nullable Object a, @Nullable Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return Objects.equals(a, b);
    }

    private static Map<String, Object> feature(Feature f) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "name", f.name());
        m.put("type", wire(f.type()));
        put(m, "unit", f.unit());
        if (f.type() == FeatureType.METERED) {
            m.put("reset", f.reset().wireName());
            m.put("calendar", f.calendar());
            m.put("resetOnPlanChange", wire(f.onPlanChange()));
        }
        return m;
    }

    private static Map<String, Object> currency(Currency c) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "name", c.name());
        m.put("depletion", c.hardDepletion() ? "hard" : "soft");
        put(m, "lowBalance", c.lowBalance());
        return m;
    }

    private static Map<String, Object> plan(PlanVersion p) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "name", p.name());
        put(m, "parent", p.parent());
        price(m, p.price());
        put(m, "trialDays", p.trialDays());
        new TreeMap<>(p.entitlements()).forEach((feature, e) -> entitlement(m, "entitlements." + feature, e));
        credits(m, p.credits());
        return m;
    }

    private static Map<String, Object> addon(AddonVersion a) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "name", a.name());
        price(m, a.price());
        new TreeMap<>(a.entitlements()).forEach((feature, e) -> {
            m.put("entitlements." + feature + ".mode", wire(e.mode()));
            entitlement(m, "entitlements." + feature, e.entitlement());
        });
        credits(m, a.credits());
        return m;
    }

    private static Map<String, Object> rateCard(RateCard r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("per", r.per());
        put(m, "rate", r.rate());
        new TreeMap<>(r.byDimension())
                .forEach((dimension, rates) -> new TreeMap<>(rates)
                        .forEach((value, rate) -> m.put("byDimension." + dimension + "." + value, rate)));
        for (int i = 0; i < r.tiers().size(); i++) {
            RateCard.Tier t = r.tiers().get(i);
            m.put("tiers[" + i + "].upTo", t.upTo() == null ? "unlimited" : t.upTo());
            m.put("tiers[" + i + "].rate", t.rate());
        }
        if (!r.tiers().isEmpty()) {
            m.put("tierMode", r.volume() ? "volume" : "graduated");
        }
        return m;
    }

    private static Map<String, Object> cost(Cost c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("currency", c.currency());
        m.put("per", c.per());
        put(m, "amount", c.amount());
        new TreeMap<>(c.byDimension())
                .forEach((dimension, amounts) -> new TreeMap<>(amounts)
                        .forEach((value, amount) -> m.put("byDimension." + dimension + "." + value, amount)));
        return m;
    }

    private static void price(Map<String, Object> m, @Nullable Price price) {
        if (price != null) {
            m.put("price.amount", price.amount());
            m.put("price.currency", price.currency());
            m.put("price.every", price.every().wireName());
            new TreeMap<>(price.overage()).forEach((feature, o) -> {
                m.put("price.overage." + feature + ".amount", o.amount());
                m.put("price.overage." + feature + ".per", o.per());
            });
        }
    }

    private static void entitlement(Map<String, Object> m, String path, Entitlement e) {
        if (e instanceof Entitlement.Toggle t) {
            m.put(path + ".enabled", t.enabled());
        } else if (e instanceof Entitlement.Config c) {
            m.put(path + ".value", c.value());
        } else if (e instanceof Entitlement.Metered x) {
            m.put(path + ".limit", x.limit() == null ? "unlimited" : x.limit());
            m.put(path + ".enforcement", wire(x.enforcement()));
            m.put(path + ".reset", x.reset().wireName());
            m.put(path + ".calendar", x.calendar());
        }
    }

    private static void credits(Map<String, Object> m, List<CreditAllotment> credits) {
        for (int i = 0; i < credits.size(); i++) {
            CreditAllotment c = credits.get(i);
            String path = "credits[" + i + "].";
            m.put(path + "currency", c.currency());
            m.put(path + "amount", c.amount());
            m.put(path + "every", c.every().wireName());
            m.put(path + "category", c.promotional() ? "promotional" : "paid");
            m.put(path + "expires", c.expiresAtPeriodEnd() ? "period-end" : "never");
            m.put(path + "priority", c.priority());
        }
    }

    private static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void put(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
