package dev.tollgate.core.catalog;

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
 * <p>Layout: this class reads the document's structure (currencies, features, rate cards, plans, add-ons) and flattens
 * the plans; the field-level readers that record errors are {@link CatalogNodes}.
 *
 * <p>Thread-safe: each call works on its own state.
 */
public final class CatalogReader {
    private final CatalogNodes in = new CatalogNodes();

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
        if (!reader.in.errors().isEmpty()) {
            throw new CatalogException(reader.in.errors());
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
        if (!reader.in.errors().isEmpty() || entitlement == null) {
            throw new CatalogException(
                    reader.in.errors().isEmpty() ? List.of(new CatalogError(path, "is invalid")) : reader.in.errors());
        }
        return entitlement;
    }

    private CatalogDefinition document(@Nullable Object document) {
        Map<String, Object> root = in.object(document, "", "catalog");
        if (root == null) {
            return emptyDefinition();
        }
        in.allowOnly(root, "", "currencies", "features", "rateCards", "plans", "addons", "costs");
        Map<String, Currency> currencies = new LinkedHashMap<>();
        in.forEach(root, "currencies", (node, path) -> {
            Currency c = currency(node, path);
            if (c != null && currencies.putIfAbsent(c.key(), c) != null) {
                in.error(path + ".key", "duplicate currency '" + c.key() + "'");
            }
        });
        Map<String, Feature> features = new LinkedHashMap<>();
        in.forEach(root, "features", (node, path) -> {
            Feature f = feature(node, path);
            if (f != null && features.putIfAbsent(f.key(), f) != null) {
                in.error(path + ".key", "duplicate feature '" + f.key() + "'");
            }
        });
        List<RateCard> rateCards = new ArrayList<>();
        Set<String> pricedPairs = new HashSet<>();
        in.forEach(root, "rateCards", (node, path) -> {
            RateCard card = rateCard(node, path, features, currencies);
            if (card != null && !pricedPairs.add(card.feature() + "\u0000" + card.currency())) {
                in.error(path, "duplicate rate card for feature '" + card.feature() + "' in '" + card.currency() + "'");
            } else if (card != null) {
                rateCards.add(card);
            }
        });
        Map<String, RawPlan> rawPlans = new LinkedHashMap<>();
        in.forEach(root, "plans", (node, path) -> {
            RawPlan p = plan(node, path, features, currencies);
            if (p != null && rawPlans.putIfAbsent(p.key, p) != null) {
                in.error(path + ".key", "duplicate plan '" + p.key + "'");
            }
        });
        Map<String, AddonVersion> addons = new LinkedHashMap<>();
        in.forEach(root, "addons", (node, path) -> {
            AddonVersion a = addon(node, path, features, currencies);
            if (a != null && addons.putIfAbsent(a.key(), a) != null) {
                in.error(path + ".key", "duplicate add-on '" + a.key() + "'");
            }
        });
        Map<String, Cost> costs = costs(root, features);
        overageCurrencies(rawPlans.values(), costs);
        Map<String, PlanVersion> plans = flatten(rawPlans);
        return new CatalogDefinition(
                Collections.unmodifiableMap(currencies),
                Collections.unmodifiableMap(features),
                List.copyOf(rateCards),
                plans,
                Collections.unmodifiableMap(addons),
                Collections.unmodifiableMap(costs));
    }

    private static CatalogDefinition emptyDefinition() {
        return new CatalogDefinition(Map.of(), Map.of(), List.of(), Map.of(), Map.of(), Map.of());
    }

    /** The document's {@code costs}: one per metered feature, all in the currency of the first. */
    private Map<String, Cost> costs(Map<String, Object> root, Map<String, Feature> features) {
        Map<String, Cost> costs = new LinkedHashMap<>();
        in.forEach(root, "costs", (node, path) -> {
            Cost c = cost(node, path, features);
            if (c == null) {
                return;
            }
            Cost first = costs.isEmpty() ? null : costs.values().iterator().next();
            if (costs.containsKey(c.feature())) {
                in.error(path + ".feature", "duplicate cost for feature '" + c.feature() + "'");
            } else if (first != null && !first.currency().equals(c.currency())) {
                in.error(
                        path + ".currency",
                        "must be '" + first.currency() + "' like the first cost: a catalog states its costs in one"
                                + " money currency");
            } else {
                costs.put(c.feature(), c);
            }
        });
        return costs;
    }

    private @Nullable Cost cost(@Nullable Object value, String path, Map<String, Feature> features) {
        Map<String, Object> node = in.object(value, path, "cost");
        if (node == null) {
            return null;
        }
        in.allowOnly(node, path, "feature", "currency", "per", "amount", "byDimension");
        String feature = in.requiredString(node, path, "feature");
        if (feature != null) {
            requireMetered(feature, path + ".feature", features);
        }
        String currency = in.requiredString(node, path, "currency");
        if (currency != null && currency.isBlank()) {
            in.error(path + ".currency", "must not be blank");
        }
        BigDecimal per = in.decimal(node, path, "per", BigDecimal.ONE);
        if (per != null && per.signum() <= 0) {
            in.error(path + ".per", "must be > 0");
        }
        BigDecimal amount = in.nonNegative(node, path, "amount");
        Map<String, Map<String, BigDecimal>> byDimension =
                byDimension(node, path, "map of dimension values to amounts");
        if (amount == null && byDimension.isEmpty() && !node.containsKey("amount")) {
            in.error(path + ".amount", "is required unless byDimension gives the amounts");
        }
        if (feature == null
                || currency == null
                || currency.isBlank()
                || per == null
                || per.signum() <= 0
                || (amount == null && byDimension.isEmpty())) {
            return null;
        }
        return new Cost(feature, currency, per, amount, byDimension);
    }

    /**
     * Holds the plans that price overage to the catalog's one money currency: the costs' if there are costs, else the
     * first such plan's.
     */
    private void overageCurrencies(Iterable<RawPlan> plans, Map<String, Cost> costs) {
        String money = costs.isEmpty() ? null : costs.values().iterator().next().currency();
        String from = "the costs";
        for (RawPlan p : plans) {
            if (p.price == null || p.price.overage().isEmpty()) {
                continue;
            }
            if (money == null) {
                money = p.price.currency();
                from = p.path + ".price";
            } else if (!money.equals(p.price.currency())) {
                in.error(
                        p.path + ".price.currency",
                        "prices overage in '" + p.price.currency() + "' but " + from + " use '" + money
                                + "': costs and overage prices share one money currency");
            }
        }
    }

    /** Records an error at {@code path} unless {@code feature} is a metered feature of the document. */
    private void requireMetered(String feature, String path, Map<String, Feature> features) {
        Feature f = features.get(feature);
        if (f == null) {
            in.error(path, "unknown feature '" + feature + "'");
        } else if (f.type() != FeatureType.METERED) {
            in.error(path, "feature '" + feature + "' is not metered");
        }
    }

    private @Nullable Currency currency(@Nullable Object value, String path) {
        Map<String, Object> node = in.object(value, path, "currency");
        if (node == null) {
            return null;
        }
        in.allowOnly(node, path, "key", "depletion", "name", "lowBalance");
        String key = in.key(node, path);
        String depletion = in.oneOf(node, path, "depletion", "hard", "hard", "soft");
        String name = in.optionalString(node, path, "name");
        BigDecimal lowBalance = in.nonNegative(node, path, "lowBalance");
        return key == null ? null : new Currency(key, !"soft".equals(depletion), name, lowBalance);
    }

    private @Nullable Feature feature(@Nullable Object value, String path) {
        Map<String, Object> node = in.object(value, path, "feature");
        if (node == null) {
            return null;
        }
        in.allowOnly(
                node, path, "key", "type", "unit", "reset", "calendar", "resetOnPlanChange", "name", "description");
        String key = in.key(node, path);
        String typeName = in.oneOf(node, path, "type", null, "boolean", "config", "metered");
        String unit = in.optionalString(node, path, "unit");
        String name = in.optionalString(node, path, "name");
        in.optionalString(node, path, "description");
        FeatureType type = typeName == null ? null : FeatureType.valueOf(typeName.toUpperCase(Locale.ROOT));
        ResetPeriod reset = ResetPeriod.NEVER;
        boolean calendar = in.bool(node, path, "calendar", false);
        if (type == FeatureType.METERED) {
            ResetPeriod r = in.period(node, path, "reset", ResetPeriod.MONTH);
            reset = r == null ? ResetPeriod.MONTH : r;
        } else if (type != null && node.containsKey("reset")) {
            in.error(path + ".reset", "only metered features reset");
        }
        String onChange = in.oneOf(node, path, "resetOnPlanChange", "never", "always", "never", "on-period-change");
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
        Map<String, Object> node = in.object(value, path, "rate card");
        if (node == null) {
            return null;
        }
        in.allowOnly(node, path, "feature", "currency", "per", "rate", "byDimension", "tiers", "tierMode");
        String feature = in.requiredString(node, path, "feature");
        if (feature != null) {
            requireMetered(feature, path + ".feature", features);
        }
        String currency = in.requiredString(node, path, "currency");
        if (currency != null && !currencies.containsKey(currency)) {
            in.error(path + ".currency", "unknown currency '" + currency + "'");
        }
        BigDecimal per = in.decimal(node, path, "per", BigDecimal.ONE);
        if (per != null && per.signum() <= 0) {
            in.error(path + ".per", "must be > 0");
        }
        BigDecimal rate = in.nonNegative(node, path, "rate");
        Map<String, Map<String, BigDecimal>> byDimension = byDimension(node, path, "map of dimension values to rates");
        List<RateCard.Tier> tiers = tiers(node, path);
        if (rate == null && byDimension.isEmpty() && tiers.isEmpty() && !node.containsKey("rate")) {
            in.error(path + ".rate", "is required unless byDimension or tiers give the rates");
        }
        String tierMode = in.oneOf(node, path, "tierMode", "graduated", "graduated", "volume");
        if (feature == null || currency == null || per == null || tierMode == null) {
            return null;
        }
        return new RateCard(
                feature, currency, per, rate, Map.copyOf(byDimension), List.copyOf(tiers), tierMode.equals("volume"));
    }

    /** A rate card's or a cost's {@code byDimension}: at most one dimension, its values' rates or amounts. */
    private Map<String, Map<String, BigDecimal>> byDimension(Map<String, Object> node, String path, String what) {
        Map<String, Map<String, BigDecimal>> byDimension = new LinkedHashMap<>();
        Map<String, Object> dims = in.optionalObject(node, path, "byDimension");
        if (dims != null) {
            if (dims.size() > 1) {
                in.error(path + ".byDimension", "at most one dimension");
            }
            for (Map.Entry<String, Object> d : dims.entrySet()) {
                String dimPath = path + ".byDimension." + d.getKey();
                Map<String, Object> values = in.object(d.getValue(), dimPath, what);
                if (values == null) {
                    continue;
                }
                Map<String, BigDecimal> rates = new LinkedHashMap<>();
                for (Map.Entry<String, Object> v : values.entrySet()) {
                    BigDecimal r = in.asDecimal(v.getValue(), dimPath + "." + v.getKey());
                    if (r != null && r.signum() < 0) {
                        in.error(dimPath + "." + v.getKey(), "must be >= 0");
                    } else if (r != null) {
                        rates.put(v.getKey(), r);
                    }
                }
                byDimension.put(d.getKey(), Map.copyOf(rates));
            }
        }
        return byDimension;
    }

    /** A rate card's {@code tiers}, each ending above the one before; only the last may be open. */
    private List<RateCard.Tier> tiers(Map<String, Object> node, String path) {
        List<RateCard.Tier> tiers = new ArrayList<>();
        in.forEach(node, path, "tiers", (t, tierPath) -> {
            Map<String, Object> tier = in.object(t, tierPath, "tier");
            if (tier == null) {
                return;
            }
            in.allowOnly(tier, tierPath, "upTo", "rate");
            BigDecimal upTo = tier.get("upTo") == null ? null : in.nonNegative(tier, tierPath, "upTo");
            BigDecimal tierRate = in.nonNegative(tier, tierPath, "rate");
            if (tierRate == null && !tier.containsKey("rate")) {
                in.error(tierPath + ".rate", "is required");
            }
            if (!tiers.isEmpty()) {
                RateCard.Tier previous = tiers.get(tiers.size() - 1);
                if (previous.upTo() == null) {
                    in.error(tierPath, "follows an open tier; only the last tier may omit upTo");
                } else if (upTo != null && upTo.compareTo(previous.upTo()) <= 0) {
                    in.error(tierPath + ".upTo", "must be greater than the previous tier's");
                }
            }
            if (tierRate != null) {
                tiers.add(new RateCard.Tier(upTo, tierRate));
            }
        });
        return tiers;
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
        Map<String, Object> node = in.object(value, path, "plan");
        if (node == null) {
            return null;
        }
        in.allowOnly(node, path, "key", "name", "description", "parent", "price", "entitlements", "credits", "trial");
        String key = in.key(node, path);
        String name = in.optionalString(node, path, "name");
        in.optionalString(node, path, "description");
        String parent = in.optionalString(node, path, "parent");
        Price price = price(node, path, features);
        Map<String, Entitlement> entitlements = new LinkedHashMap<>();
        Map<String, Object> ents = in.optionalObject(node, path, "entitlements");
        if (ents != null) {
            for (Map.Entry<String, Object> e : ents.entrySet()) {
                String entPath = path + ".entitlements." + e.getKey();
                Feature f = features.get(e.getKey());
                if (f == null) {
                    in.error(entPath, "unknown feature '" + e.getKey() + "'");
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
        Map<String, Object> trial = in.optionalObject(node, path, "trial");
        if (trial != null) {
            in.allowOnly(trial, path + ".trial", "days");
            BigDecimal days = in.decimal(trial, path + ".trial", "days", null);
            if (days == null) {
                in.error(path + ".trial.days", "is required");
            } else if (days.signum() <= 0 || days.stripTrailingZeros().scale() > 0 || days.intValue() > 3650) {
                in.error(path + ".trial.days", "must be a whole number of days between 1 and 3650");
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
        Map<String, Object> node = in.object(value, path, "add-on");
        if (node == null) {
            return null;
        }
        in.allowOnly(node, path, "key", "name", "description", "price", "entitlements", "credits");
        String key = in.key(node, path);
        String name = in.optionalString(node, path, "name");
        in.optionalString(node, path, "description");
        Price price = price(node, path, null);
        Map<String, AddonEntitlement> entitlements = new LinkedHashMap<>();
        Map<String, Object> ents = in.optionalObject(node, path, "entitlements");
        if (ents != null) {
            for (Map.Entry<String, Object> e : ents.entrySet()) {
                String entPath = path + ".entitlements." + e.getKey();
                Feature f = features.get(e.getKey());
                if (f == null) {
                    in.error(entPath, "unknown feature '" + e.getKey() + "'");
                    continue;
                }
                Entitlement ent = entitlement(e.getValue(), entPath, f, true);
                Map<String, Object> entNode =
                        e.getValue() instanceof Map<?, ?> ? CatalogNodes.asMap(e.getValue()) : Map.of();
                String defaultMode = f.type() == FeatureType.BOOLEAN ? "override" : "increment";
                String mode = in.oneOf(entNode, entPath, "mode", defaultMode, "increment", "override");
                if ("increment".equals(mode) && f.type() == FeatureType.BOOLEAN) {
                    in.error(entPath + ".mode", "a boolean feature cannot be incremented");
                }
                if (ent instanceof Entitlement.Metered m && m.unlimited() && "increment".equals(mode)) {
                    in.error(entPath + ".limit", "an increment must be a number, not unlimited");
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
        Map<String, Object> node = in.object(value, path, "entitlement");
        if (node == null) {
            return null;
        }
        String mode = allowMode ? "mode" : "";
        switch (feature.type()) {
            case BOOLEAN -> {
                in.allowOnly(node, path, "enabled", mode);
                return new Entitlement.Toggle(in.bool(node, path, "enabled", true));
            }
            case CONFIG -> {
                in.allowOnly(node, path, "value", mode);
                BigDecimal v = in.nonNegative(node, path, "value");
                if (v == null) {
                    if (!node.containsKey("value")) {
                        in.error(path + ".value", "is required");
                    }
                    return null;
                }
                return new Entitlement.Config(v);
            }
            case METERED -> {
                in.allowOnly(node, path, "limit", "unlimited", "enforcement", "reset", "calendar", mode);
                boolean unlimited = in.bool(node, path, "unlimited", false);
                Object rawLimit = node.get("limit");
                BigDecimal limit = null;
                if ("unlimited".equals(rawLimit)) {
                    unlimited = true;
                } else if (rawLimit != null) {
                    limit = in.nonNegative(node, path, "limit");
                    if (limit == null) {
                        return null;
                    }
                    if (unlimited) {
                        in.error(path + ".unlimited", "cannot be true together with a numeric limit");
                    }
                } else if (!unlimited) {
                    in.error(path + ".limit", "is required (a number >= 0, or \"unlimited\")");
                    return null;
                }
                String enforcement = in.oneOf(node, path, "enforcement", "hard", "hard", "soft");
                ResetPeriod reset = in.period(node, path, "reset", feature.reset());
                boolean calendar = in.bool(node, path, "calendar", feature.calendar());
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

    /**
     * A plan's or an add-on's {@code price}.
     *
     * @param features the document's features, for a plan's {@code overage}; {@code null} for an add-on, whose price
     *     has none
     */
    private @Nullable Price price(
            Map<String, Object> parent, String parentPath, @Nullable Map<String, Feature> features) {
        Map<String, Object> node = in.optionalObject(parent, parentPath, "price");
        if (node == null) {
            return null;
        }
        String path = parentPath + ".price";
        if (features == null) {
            in.allowOnly(node, path, "amount", "currency", "every");
        } else {
            in.allowOnly(node, path, "amount", "currency", "every", "overage");
        }
        Map<String, OveragePrice> overage = features == null ? Map.of() : overage(node, path, features);
        BigDecimal amount = in.nonNegative(node, path, "amount");
        if (amount == null && !node.containsKey("amount")) {
            in.error(path + ".amount", "is required");
        }
        String currency = in.requiredString(node, path, "currency");
        ResetPeriod every = in.period(node, path, "every", ResetPeriod.MONTH);
        if (every == ResetPeriod.NEVER || every == ResetPeriod.HOUR) {
            in.error(path + ".every", "must be day, week, month or year");
        }
        return amount == null || currency == null || every == null ? null : new Price(amount, currency, every, overage);
    }

    /** A plan price's {@code overage}: metered feature key to {@code {amount, per}}. */
    private Map<String, OveragePrice> overage(
            Map<String, Object> price, String pricePath, Map<String, Feature> features) {
        Map<String, OveragePrice> overage = new LinkedHashMap<>();
        Map<String, Object> node = in.optionalObject(price, pricePath, "overage");
        if (node == null) {
            return overage;
        }
        for (Map.Entry<String, Object> e : node.entrySet()) {
            String path = pricePath + ".overage." + e.getKey();
            requireMetered(e.getKey(), path, features);
            Map<String, Object> item = in.object(e.getValue(), path, "overage price");
            if (item == null) {
                continue;
            }
            in.allowOnly(item, path, "amount", "per");
            BigDecimal amount = in.nonNegative(item, path, "amount");
            if (amount == null && !item.containsKey("amount")) {
                in.error(path + ".amount", "is required");
            }
            BigDecimal per = in.decimal(item, path, "per", BigDecimal.ONE);
            if (per != null && per.signum() <= 0) {
                in.error(path + ".per", "must be > 0");
            }
            if (amount != null && per != null && per.signum() > 0) {
                overage.put(e.getKey(), new OveragePrice(amount, per));
            }
        }
        return overage;
    }

    private List<CreditAllotment> credits(
            Map<String, Object> parent, String parentPath, Map<String, Currency> currencies) {
        List<CreditAllotment> credits = new ArrayList<>();
        in.forEach(parent, parentPath, "credits", (value, path) -> {
            Map<String, Object> node = in.object(value, path, "credit allotment");
            if (node == null) {
                return;
            }
            in.allowOnly(node, path, "currency", "amount", "every", "category", "expires", "priority");
            String currency = in.requiredString(node, path, "currency");
            if (currency != null && !currencies.containsKey(currency)) {
                in.error(path + ".currency", "unknown currency '" + currency + "'");
            }
            BigDecimal amount = in.nonNegative(node, path, "amount");
            if (amount == null && !node.containsKey("amount")) {
                in.error(path + ".amount", "is required");
            }
            ResetPeriod every = in.period(node, path, "every", ResetPeriod.MONTH);
            String category = in.oneOf(node, path, "category", "promotional", "promotional", "paid");
            String expires = in.oneOf(node, path, "expires", "period-end", "period-end", "never");
            BigDecimal priority = in.decimal(node, path, "priority", BigDecimal.ZERO);
            if (priority != null
                    && (priority.stripTrailingZeros().scale() > 0
                            || priority.abs().intValue() > 1_000_000)) {
                in.error(path + ".priority", "must be a whole number");
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

    @SuppressWarnings("ReferenceEquality") // whether the chain is still at the plan being flattened itself
    private Map<String, PlanVersion> flatten(Map<String, RawPlan> raw) {
        Map<String, PlanVersion> plans = new LinkedHashMap<>();
        for (RawPlan plan : raw.values()) {
            List<RawPlan> chain = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            RawPlan current = plan;
            boolean broken = false;
            while (current != null) {
                if (!seen.add(current.key)) {
                    in.error(
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
                        in.error(plan.path + ".parent", "unknown plan '" + current.parent + "'");
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
}
