package dev.tollgate.core.catalog;

import dev.tollgate.core.Decimals;
import dev.tollgate.core.period.ResetPeriod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates a whole catalog document.
 *
 * <p>Validation: the document is read completely, every problem is collected with its location, and only a document
 * without a single error yields a {@link CatalogDefinition}. Unknown fields are errors (a typo such as
 * {@code enforcment} must not silently become the default). Cross-references are checked after the first pass:
 * features and currencies named by plans, add-ons and rate cards must exist, entitlements must match their feature's
 * type, and parent chains must end (no cycles).
 *
 * <p>Flattening: a plan's entitlements are its parent chain's, root first, each child replacing its parent's
 * entitlement for the same feature. Credits, price and trial are the plan's own.
 *
 * <p>Thread-safe: each call works on its own state.
 */
public final class CatalogReader {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final List<CatalogError> errors = new ArrayList<>();

    private CatalogReader() {}

    /**
     * Validates a catalog document.
     *
     * @param document the parsed document in the {@link dev.tollgate.core.json.Json} tree model
     * @return the validated definition
     * @throws CatalogException listing every problem, if there is at least one
     */
    public static CatalogDefinition read(@Nullable Object document) {
        CatalogReader reader = new CatalogReader();
        CatalogDefinition definition = reader.document(document);
        if (!reader.errors.isEmpty()) {
            throw new CatalogException(reader.errors);
        }
        return definition;
    }

    /**
     * Validates one entitlement outside a catalog document (a promotion).
     *
     * @param value the entitlement in the JSON tree model ({@code {"limit": 500, "enforcement": "soft"}})
     * @param path where the entitlement sits in the request, for error locations
     * @param feature the feature it is for
     * @return the entitlement
     * @throws CatalogException listing every problem
     */
    public static Entitlement readEntitlement(@Nullable Object value, String path, Feature feature) {
        CatalogReader reader = new CatalogReader();
        Entitlement entitlement = reader.entitlement(value, path, feature, false);
        if (!reader.errors.isEmpty() || entitlement == null) {
            throw new CatalogException(
                    reader.errors.isEmpty() ? List.of(new CatalogError(path, "is invalid")) : reader.errors);
        }
        return entitlement;
    }

    private CatalogDefinition document(@Nullable Object document) {
        Map<String, Object> root = object(document, "", "catalog");
        if (root == null) {
            return emptyDefinition();
        }
        allowOnly(root, "", "currencies", "features", "rateCards", "plans", "addons");
        Map<String, Currency> currencies = new LinkedHashMap<>();
        forEach(root, "currencies", (node, path) -> {
            Currency c = currency(node, path);
            if (c != null && currencies.putIfAbsent(c.key(), c) != null) {
                error(path + ".key", "duplicate currency '" + c.key() + "'");
            }
        });
        Map<String, Feature> features = new LinkedHashMap<>();
        forEach(root, "features", (node, path) -> {
            Feature f = feature(node, path);
            if (f != null && features.putIfAbsent(f.key(), f) != null) {
                error(path + ".key", "duplicate feature '" + f.key() + "'");
            }
        });
        List<RateCard> rateCards = new ArrayList<>();
        Set<String> pricedPairs = new HashSet<>();
        forEach(root, "rateCards", (node, path) -> {
            RateCard card = rateCard(node, path, features, currencies);
            if (card != null && !pricedPairs.add(card.feature() + "\u0000" + card.currency())) {
                error(path, "duplicate rate card for feature '" + card.feature() + "' in '" + card.currency() + "'");
            } else if (card != null) {
                rateCards.add(card);
            }
        });
        Map<String, RawPlan> rawPlans = new LinkedHashMap<>();
        forEach(root, "plans", (node, path) -> {
            RawPlan p = plan(node, path, features, currencies);
            if (p != null && rawPlans.putIfAbsent(p.key, p) != null) {
                error(path + ".key", "duplicate plan '" + p.key + "'");
            }
        });
        Map<String, AddonVersion> addons = new LinkedHashMap<>();
        forEach(root, "addons", (node, path) -> {
            AddonVersion a = addon(node, path, features, currencies);
            if (a != null && addons.putIfAbsent(a.key(), a) != null) {
                error(path + ".key", "duplicate add-on '" + a.key() + "'");
            }
        });
        Map<String, PlanVersion> plans = flatten(rawPlans);
        return new CatalogDefinition(
                Collections.unmodifiableMap(currencies),
                Collections.unmodifiableMap(features),
                List.copyOf(rateCards),
                plans,
                Collections.unmodifiableMap(addons));
    }

    private static CatalogDefinition emptyDefinition() {
        return new CatalogDefinition(Map.of(), Map.of(), List.of(), Map.of(), Map.of());
    }

    private @Nullable Currency currency(@Nullable Object value, String path) {
        Map<String, Object> node = object(value, path, "currency");
        if (node == null) {
            return null;
        }
        allowOnly(node, path, "key", "depletion", "name", "lowBalance");
        String key = key(node, path);
        String depletion = oneOf(node, path, "depletion", "hard", "hard", "soft");
        String name = optionalString(node, path, "name");
        BigDecimal lowBalance = nonNegative(node, path, "lowBalance");
        return key == null ? null : new Currency(key, !"soft".equals(depletion), name, lowBalance);
    }

    private @Nullable Feature feature(@Nullable Object value, String path) {
        Map<String, Object> node = object(value, path, "feature");
        if (node == null) {
            return null;
        }
        allowOnly(node, path, "key", "type", "unit", "reset", "calendar", "resetOnPlanChange", "name", "description");
        String key = key(node, path);
        String typeName = oneOf(node, path, "type", null, "boolean", "config", "metered");
        String unit = optionalString(node, path, "unit");
        String name = optionalString(node, path, "name");
        optionalString(node, path, "description");
        FeatureType type = typeName == null ? null : FeatureType.valueOf(typeName.toUpperCase(Locale.ROOT));
        ResetPeriod reset = ResetPeriod.NEVER;
        boolean calendar = bool(node, path, "calendar", false);
        if (type == FeatureType.METERED) {
            ResetPeriod r = period(node, path, "reset", ResetPeriod.MONTH);
            reset = r == null ? ResetPeriod.MONTH : r;
        } else if (type != null && node.containsKey("reset")) {
            error(path + ".reset", "only metered features reset");
        }
        String onChange = oneOf(node, path, "resetOnPlanChange", "never", "always", "never", "on-period-change");
        PlanChangeReset planChange = onChange == null
                ? PlanChangeReset.NEVER
                : PlanChangeReset.valueOf(onChange.replace('-', '_').toUpperCase(Locale.ROOT));
        if (key == null || type == null) {
            return null;
        }
        return new Feature(key, type, unit, reset, calendar, planChange, name);
    }

    private @Nullable RateCard rateCard(
            @Nullable Object value, String path, Map<String, Feature> features, Map<String, Currency> currencies) {
        Map<String, Object> node = object(value, path, "rate card");
        if (node == null) {
            return null;
        }
        allowOnly(node, path, "feature", "currency", "per", "rate", "byDimension", "tiers", "tierMode");
        String feature = requiredString(node, path, "feature");
        if (feature != null) {
            Feature f = features.get(feature);
            if (f == null) {
                error(path + ".feature", "unknown feature '" + feature + "'");
            } else if (f.type() != FeatureType.METERED) {
                error(path + ".feature", "feature '" + feature + "' is not metered");
            }
        }
        String currency = requiredString(node, path, "currency");
        if (currency != null && !currencies.containsKey(currency)) {
            error(path + ".currency", "unknown currency '" + currency + "'");
        }
        BigDecimal per = decimal(node, path, "per", BigDecimal.ONE);
        if (per != null && per.signum() <= 0) {
            error(path + ".per", "must be > 0");
        }
        BigDecimal rate = nonNegative(node, path, "rate");
        Map<String, Map<String, BigDecimal>> byDimension = new LinkedHashMap<>();
        Map<String, Object> dims = optionalObject(node, path, "byDimension");
        if (dims != null) {
            if (dims.size() > 1) {
                error(path + ".byDimension", "at most one dimension per rate card");
            }
            for (Map.Entry<String, Object> d : dims.entrySet()) {
                String dimPath = path + ".byDimension." + d.getKey();
                Map<String, Object> values = object(d.getValue(), dimPath, "map of dimension values to rates");
                if (values == null) {
                    continue;
                }
                Map<String, BigDecimal> rates = new LinkedHashMap<>();
                for (Map.Entry<String, Object> v : values.entrySet()) {
                    BigDecimal r = asDecimal(v.getValue(), dimPath + "." + v.getKey());
                    if (r != null && r.signum() < 0) {
                        error(dimPath + "." + v.getKey(), "must be >= 0");
                    } else if (r != null) {
                        rates.put(v.getKey(), r);
                    }
                }
                byDimension.put(d.getKey(), Map.copyOf(rates));
            }
        }
        List<RateCard.Tier> tiers = new ArrayList<>();
        forEach(node, path, "tiers", (t, tierPath) -> {
            Map<String, Object> tier = object(t, tierPath, "tier");
            if (tier == null) {
                return;
            }
            allowOnly(tier, tierPath, "upTo", "rate");
            BigDecimal upTo = tier.get("upTo") == null ? null : nonNegative(tier, tierPath, "upTo");
            BigDecimal tierRate = nonNegative(tier, tierPath, "rate");
            if (tierRate == null && !tier.containsKey("rate")) {
                error(tierPath + ".rate", "is required");
            }
            if (!tiers.isEmpty()) {
                RateCard.Tier previous = tiers.get(tiers.size() - 1);
                if (previous.upTo() == null) {
                    error(tierPath, "follows an open tier; only the last tier may omit upTo");
                } else if (upTo != null && upTo.compareTo(previous.upTo()) <= 0) {
                    error(tierPath + ".upTo", "must be greater than the previous tier's");
                }
            }
            if (tierRate != null) {
                tiers.add(new RateCard.Tier(upTo, tierRate));
            }
        });
        if (rate == null && byDimension.isEmpty() && tiers.isEmpty() && !node.containsKey("rate")) {
            error(path + ".rate", "is required unless byDimension or tiers give the rates");
        }
        String tierMode = oneOf(node, path, "tierMode", "graduated", "graduated", "volume");
        if (feature == null || currency == null || per == null || tierMode == null) {
            return null;
        }
        return new RateCard(
                feature, currency, per, rate, Map.copyOf(byDimension), List.copyOf(tiers), tierMode.equals("volume"));
    }

    /** A plan as written, before flattening. */
    private record RawPlan(
            String key,
            String path,
            @Nullable String name,
            @Nullable String parent,
            Map<String, Entitlement> entitlements,
            @Nullable Price price,
            List<CreditAllotment> credits,
            @Nullable Integer trialDays) {}

    private @Nullable RawPlan plan(
            @Nullable Object value, String path, Map<String, Feature> features, Map<String, Currency> currencies) {
        Map<String, Object> node = object(value, path, "plan");
        if (node == null) {
            return null;
        }
        allowOnly(node, path, "key", "name", "description", "parent", "price", "entitlements", "credits", "trial");
        String key = key(node, path);
        String name = optionalString(node, path, "name");
        optionalString(node, path, "description");
        String parent = optionalString(node, path, "parent");
        Price price = price(node, path);
        Map<String, Entitlement> entitlements = new LinkedHashMap<>();
        Map<String, Object> ents = optionalObject(node, path, "entitlements");
        if (ents != null) {
            for (Map.Entry<String, Object> e : ents.entrySet()) {
                String entPath = path + ".entitlements." + e.getKey();
                Feature f = features.get(e.getKey());
                if (f == null) {
                    error(entPath, "unknown feature '" + e.getKey() + "'");
                    continue;
                }
                Entitlement ent = entitlement(e.getValue(), entPath, f, false);
                if (ent != null) {
                    entitlements.put(f.key(), ent);
                }
            }
        }
        List<CreditAllotment> credits = credits(node, path, currencies);
        Integer trialDays = null;
        Map<String, Object> trial = optionalObject(node, path, "trial");
        if (trial != null) {
            allowOnly(trial, path + ".trial", "days");
            BigDecimal days = decimal(trial, path + ".trial", "days", null);
            if (days == null) {
                error(path + ".trial.days", "is required");
            } else if (days.signum() <= 0 || days.stripTrailingZeros().scale() > 0 || days.intValue() > 3650) {
                error(path + ".trial.days", "must be a whole number of days between 1 and 3650");
            } else {
                trialDays = days.intValue();
            }
        }
        if (key == null) {
            return null;
        }
        return new RawPlan(key, path, name, parent, Map.copyOf(entitlements), price, credits, trialDays);
    }

    private @Nullable AddonVersion addon(
            @Nullable Object value, String path, Map<String, Feature> features, Map<String, Currency> currencies) {
        Map<String, Object> node = object(value, path, "add-on");
        if (node == null) {
            return null;
        }
        allowOnly(node, path, "key", "name", "description", "price", "entitlements", "credits");
        String key = key(node, path);
        String name = optionalString(node, path, "name");
        optionalString(node, path, "description");
        Price price = price(node, path);
        Map<String, AddonEntitlement> entitlements = new LinkedHashMap<>();
        Map<String, Object> ents = optionalObject(node, path, "entitlements");
        if (ents != null) {
            for (Map.Entry<String, Object> e : ents.entrySet()) {
                String entPath = path + ".entitlements." + e.getKey();
                Feature f = features.get(e.getKey());
                if (f == null) {
                    error(entPath, "unknown feature '" + e.getKey() + "'");
                    continue;
                }
                Entitlement ent = entitlement(e.getValue(), entPath, f, true);
                Map<String, Object> entNode = e.getValue() instanceof Map<?, ?> ? asMap(e.getValue()) : Map.of();
                String defaultMode = f.type() == FeatureType.BOOLEAN ? "override" : "increment";
                String mode = oneOf(entNode, entPath, "mode", defaultMode, "increment", "override");
                if ("increment".equals(mode) && f.type() == FeatureType.BOOLEAN) {
                    error(entPath + ".mode", "a boolean feature cannot be incremented");
                }
                if (ent instanceof Entitlement.Metered m && m.unlimited() && "increment".equals(mode)) {
                    error(entPath + ".limit", "an increment must be a number, not unlimited");
                }
                if (ent != null && mode != null) {
                    entitlements.put(
                            f.key(), new AddonEntitlement(ent, AddonMode.valueOf(mode.toUpperCase(Locale.ROOT))));
                }
            }
        }
        List<CreditAllotment> credits = credits(node, path, currencies);
        if (key == null) {
            return null;
        }
        return new AddonVersion(key, 0, name, Map.copyOf(entitlements), price, credits);
    }

    /**
     * Reads one entitlement for a feature of known type.
     *
     * @param allowMode whether a {@code mode} field is allowed (add-ons)
     */
    private @Nullable Entitlement entitlement(@Nullable Object value, String path, Feature feature, boolean allowMode) {
        Map<String, Object> node = object(value, path, "entitlement");
        if (node == null) {
            return null;
        }
        String mode = allowMode ? "mode" : "";
        switch (feature.type()) {
            case BOOLEAN -> {
                allowOnly(node, path, "enabled", mode);
                return new Entitlement.Toggle(bool(node, path, "enabled", true));
            }
            case CONFIG -> {
                allowOnly(node, path, "value", mode);
                BigDecimal v = nonNegative(node, path, "value");
                if (v == null) {
                    if (!node.containsKey("value")) {
                        error(path + ".value", "is required");
                    }
                    return null;
                }
                return new Entitlement.Config(v);
            }
            case METERED -> {
                allowOnly(node, path, "limit", "unlimited", "enforcement", "reset", "calendar", mode);
                boolean unlimited = bool(node, path, "unlimited", false);
                Object rawLimit = node.get("limit");
                BigDecimal limit = null;
                if ("unlimited".equals(rawLimit)) {
                    unlimited = true;
                } else if (rawLimit != null) {
                    limit = nonNegative(node, path, "limit");
                    if (limit == null) {
                        return null;
                    }
                    if (unlimited) {
                        error(path + ".unlimited", "cannot be true together with a numeric limit");
                    }
                } else if (!unlimited) {
                    error(path + ".limit", "is required (a number >= 0, or \"unlimited\")");
                    return null;
                }
                String enforcement = oneOf(node, path, "enforcement", "hard", "hard", "soft");
                ResetPeriod reset = period(node, path, "reset", feature.reset());
                boolean calendar = bool(node, path, "calendar", feature.calendar());
                if (enforcement == null || reset == null) {
                    return null;
                }
                return new Entitlement.Metered(
                        unlimited ? null : limit,
                        Enforcement.valueOf(enforcement.toUpperCase(Locale.ROOT)),
                        reset,
                        calendar);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private @Nullable Price price(Map<String, Object> parent, String parentPath) {
        Map<String, Object> node = optionalObject(parent, parentPath, "price");
        if (node == null) {
            return null;
        }
        String path = parentPath + ".price";
        allowOnly(node, path, "amount", "currency", "every");
        BigDecimal amount = nonNegative(node, path, "amount");
        if (amount == null && !node.containsKey("amount")) {
            error(path + ".amount", "is required");
        }
        String currency = requiredString(node, path, "currency");
        ResetPeriod every = period(node, path, "every", ResetPeriod.MONTH);
        if (every == ResetPeriod.NEVER || every == ResetPeriod.HOUR) {
            error(path + ".every", "must be day, week, month or year");
        }
        return amount == null || currency == null || every == null ? null : new Price(amount, currency, every);
    }

    private List<CreditAllotment> credits(
            Map<String, Object> parent, String parentPath, Map<String, Currency> currencies) {
        List<CreditAllotment> credits = new ArrayList<>();
        forEach(parent, parentPath, "credits", (value, path) -> {
            Map<String, Object> node = object(value, path, "credit allotment");
            if (node == null) {
                return;
            }
            allowOnly(node, path, "currency", "amount", "every", "category", "expires", "priority");
            String currency = requiredString(node, path, "currency");
            if (currency != null && !currencies.containsKey(currency)) {
                error(path + ".currency", "unknown currency '" + currency + "'");
            }
            BigDecimal amount = nonNegative(node, path, "amount");
            if (amount == null && !node.containsKey("amount")) {
                error(path + ".amount", "is required");
            }
            ResetPeriod every = period(node, path, "every", ResetPeriod.MONTH);
            String category = oneOf(node, path, "category", "promotional", "promotional", "paid");
            String expires = oneOf(node, path, "expires", "period-end", "period-end", "never");
            BigDecimal priority = decimal(node, path, "priority", BigDecimal.ZERO);
            if (priority != null
                    && (priority.stripTrailingZeros().scale() > 0
                            || priority.abs().intValue() > 1_000_000)) {
                error(path + ".priority", "must be a whole number");
            }
            if (currency != null
                    && amount != null
                    && every != null
                    && category != null
                    && expires != null
                    && priority != null) {
                credits.add(new CreditAllotment(
                        currency,
                        amount,
                        every,
                        "promotional".equals(category),
                        "period-end".equals(expires),
                        priority.intValue()));
            }
        });
        return List.copyOf(credits);
    }

    private Map<String, PlanVersion> flatten(Map<String, RawPlan> raw) {
        Map<String, PlanVersion> plans = new LinkedHashMap<>();
        for (RawPlan plan : raw.values()) {
            List<RawPlan> chain = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            RawPlan current = plan;
            boolean broken = false;
            while (current != null) {
                if (!seen.add(current.key)) {
                    error(
                            plan.path + ".parent",
                            "cycle in parent plans: " + String.join(" -> ", seen) + " -> " + current.key);
                    broken = true;
                    break;
                }
                chain.add(0, current);
                if (current.parent == null) {
                    break;
                }
                RawPlan next = raw.get(current.parent);
                if (next == null) {
                    if (current == plan) {
                        error(plan.path + ".parent", "unknown plan '" + current.parent + "'");
                    }
                    broken = true;
                    break;
                }
                current = next;
            }
            if (broken) {
                continue;
            }
            Map<String, Entitlement> entitlements = new LinkedHashMap<>();
            for (RawPlan p : chain) {
                entitlements.putAll(p.entitlements);
            }
            plans.put(
                    plan.key,
                    new PlanVersion(
                            plan.key,
                            0,
                            plan.name,
                            plan.parent,
                            Map.copyOf(entitlements),
                            plan.price,
                            plan.credits,
                            plan.trialDays));
        }
        return plans;
    }

    // ---- low-level readers: each records an error and returns null when the value is unusable ----

    private interface ItemReader {
        void read(@Nullable Object value, String path);
    }

    private void forEach(Map<String, Object> node, String field, ItemReader reader) {
        forEach(node, "", field, reader);
    }

    private void forEach(Map<String, Object> node, String parentPath, String field, ItemReader reader) {
        Object value = node.get(field);
        String path = parentPath.isEmpty() ? field : parentPath + "." + field;
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list)) {
            error(path, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            reader.read(list.get(i), path + "[" + i + "]");
        }
    }

    private @Nullable Map<String, Object> object(@Nullable Object value, String path, String what) {
        if (value instanceof Map<?, ?>) {
            return asMap(value);
        }
        error(path.isEmpty() ? "$" : path, "must be an object (" + what + ")");
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    private @Nullable Map<String, Object> optionalObject(Map<String, Object> node, String path, String field) {
        Object value = node.get(field);
        return value == null ? null : object(value, path + "." + field, field);
    }

    private void allowOnly(Map<String, Object> node, String path, String... allowed) {
        Set<String> ok = Set.of(allowed);
        for (String field : node.keySet()) {
            if (!ok.contains(field)) {
                error(path.isEmpty() ? field : path + "." + field, "unknown field");
            }
        }
    }

    private @Nullable String key(Map<String, Object> node, String path) {
        String key = requiredString(node, path, "key");
        if (key != null && !KEY.matcher(key).matches()) {
            error(path + ".key", "must match " + KEY.pattern());
            return null;
        }
        return key;
    }

    private @Nullable String requiredString(Map<String, Object> node, String path, String field) {
        if (!node.containsKey(field) || node.get(field) == null) {
            error(path + "." + field, "is required");
            return null;
        }
        return optionalString(node, path, field);
    }

    private @Nullable String optionalString(Map<String, Object> node, String path, String field) {
        Object value = node.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            error(path + "." + field, "must be a string");
            return null;
        }
        return s;
    }

    private @Nullable String oneOf(
            Map<String, Object> node, String path, String field, @Nullable String fallback, String... allowed) {
        Object value = node.get(field);
        if (value == null) {
            if (fallback == null) {
                error(path + "." + field, "is required (one of " + String.join(", ", allowed) + ")");
            }
            return fallback;
        }
        for (String a : allowed) {
            if (a.equals(value)) {
                return a;
            }
        }
        error(path + "." + field, "must be one of " + String.join(", ", allowed));
        return null;
    }

    private @Nullable ResetPeriod period(
            Map<String, Object> node, String path, String field, @Nullable ResetPeriod fallback) {
        Object value = node.get(field);
        if (value == null) {
            return fallback;
        }
        ResetPeriod p = value instanceof String s ? ResetPeriod.parse(s).orElse(null) : null;
        if (p == null) {
            error(path + "." + field, "must be one of hour, day, week, month, year, never");
        }
        return p;
    }

    private boolean bool(Map<String, Object> node, String path, String field, boolean fallback) {
        Object value = node.get(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        error(path + "." + field, "must be true or false");
        return fallback;
    }

    private @Nullable BigDecimal decimal(
            Map<String, Object> node, String path, String field, @Nullable BigDecimal fallback) {
        Object value = node.get(field);
        return value == null ? fallback : asDecimal(value, path + "." + field);
    }

    private @Nullable BigDecimal nonNegative(Map<String, Object> node, String path, String field) {
        BigDecimal d = decimal(node, path, field, null);
        if (d != null && d.signum() < 0) {
            error(path + "." + field, "must be >= 0");
            return null;
        }
        return d;
    }

    private @Nullable BigDecimal asDecimal(@Nullable Object value, String path) {
        BigDecimal d = null;
        if (value instanceof BigDecimal b) {
            d = b;
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            d = BigDecimal.valueOf(((Number) value).longValue());
        } else if (value instanceof java.math.BigInteger i) {
            d = new BigDecimal(i);
        } else if (value instanceof Double || value instanceof Float) {
            d = new BigDecimal(value.toString());
        }
        if (d == null) {
            error(path, "must be a number");
            return null;
        }
        if (!Decimals.inRange(d)) {
            error(path, "out of range (at most " + Decimals.MAX_SCALE + " decimals, below 1e18)");
            return null;
        }
        return Decimals.normalize(d);
    }

    private void error(String path, String message) {
        errors.add(new CatalogError(path, message));
    }
}
