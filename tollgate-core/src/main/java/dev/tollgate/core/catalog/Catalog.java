package dev.tollgate.core.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One published catalog version, with the history of every plan and add-on version ever published.
 *
 * <p>Versioning: catalog versions count from 1. A plan keeps its own version number, raised only when its flattened
 * content changes, so publishing an unrelated change leaves every subscription's plan untouched. Old plan versions
 * stay resolvable forever: subscriptions are pinned to them (grandfathering) until migrated. Versions are assigned
 * deterministically from the sequence of published documents, so replaying the catalog history rebuilds the same
 * numbers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param version the catalog version, 0 for the empty catalog before any publish
 * @param publishedAt when it was published
 * @param author who published it
 * @param summary what changed against the previous version
 * @param document the document as applied, in the JSON tree model
 * @param definition the validated content
 * @param plans the current version of each plan in this catalog
 * @param addons the current version of each add-on in this catalog
 * @param planHistory every version of every plan ever published, oldest first
 * @param addonHistory every version of every add-on ever published, oldest first
 */
public record Catalog(
        int version,
        Instant publishedAt,
        String author,
        String summary,
        @Nullable Object document,
        CatalogDefinition definition,
        Map<String, PlanVersion> plans,
        Map<String, AddonVersion> addons,
        Map<String, List<PlanVersion>> planHistory,
        Map<String, List<AddonVersion>> addonHistory) {

    /** The catalog before anything was published: no features, no plans. */
    public static Catalog empty() {
        CatalogDefinition nothing = new CatalogDefinition(Map.of(), Map.of(), List.of(), Map.of(), Map.of());
        return new Catalog(0, Instant.EPOCH, "", "empty", null, nothing, Map.of(), Map.of(), Map.of(), Map.of());
    }

    /**
     * Publishes a validated definition as the next version.
     *
     * @param next the validated definition
     * @param document the document it was read from
     * @param at the publication time
     * @param author who publishes it
     * @return the new catalog, version {@code version() + 1}
     */
    public Catalog publish(CatalogDefinition next, @Nullable Object document, Instant at, String author) {
        List<String> changes = new ArrayList<>();
        Map<String, List<PlanVersion>> newPlanHistory = new HashMap<>(planHistory);
        Map<String, PlanVersion> current = new HashMap<>();
        for (PlanVersion candidate : next.plans().values()) {
            List<PlanVersion> versions = new ArrayList<>(planHistory.getOrDefault(candidate.key(), List.of()));
            PlanVersion latest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
            if (latest != null && latest.sameContent(candidate)) {
                current.put(candidate.key(), latest);
                if (!plans.containsKey(candidate.key())) {
                    changes.add("plan " + candidate.key() + " restored at v" + latest.version());
                }
            } else {
                PlanVersion published = candidate.withVersion(versions.size() + 1);
                versions.add(published);
                newPlanHistory.put(candidate.key(), List.copyOf(versions));
                current.put(candidate.key(), published);
                changes.add("plan " + candidate.key() + " v" + published.version());
            }
        }
        Map<String, List<AddonVersion>> newAddonHistory = new HashMap<>(addonHistory);
        Map<String, AddonVersion> currentAddons = new HashMap<>();
        for (AddonVersion candidate : next.addons().values()) {
            List<AddonVersion> versions = new ArrayList<>(addonHistory.getOrDefault(candidate.key(), List.of()));
            AddonVersion latest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
            if (latest != null && latest.sameContent(candidate)) {
                currentAddons.put(candidate.key(), latest);
            } else {
                AddonVersion published = candidate.withVersion(versions.size() + 1);
                versions.add(published);
                newAddonHistory.put(candidate.key(), List.copyOf(versions));
                currentAddons.put(candidate.key(), published);
                changes.add("add-on " + candidate.key() + " v" + published.version());
            }
        }
        withdrawalsAndDefinitions(next, changes);
        String summary = changes.isEmpty() ? "no changes" : String.join("; ", changes);
        return new Catalog(
                version + 1,
                at,
                author,
                summary,
                document,
                next,
                Map.copyOf(current),
                Map.copyOf(currentAddons),
                Map.copyOf(newPlanHistory),
                Map.copyOf(newAddonHistory));
    }

    /** The summary lines for plans and add-ons withdrawn, and features, currencies and rate cards changed. */
    private void withdrawalsAndDefinitions(CatalogDefinition next, List<String> changes) {
        plans.keySet().stream()
                .filter(k -> !next.plans().containsKey(k))
                .sorted()
                .forEach(k -> changes.add("plan " + k + " withdrawn"));
        addons.keySet().stream()
                .filter(k -> !next.addons().containsKey(k))
                .sorted()
                .forEach(k -> changes.add("add-on " + k + " withdrawn"));
        diffKeys("feature", definition.features().keySet(), next.features(), definition.features(), changes);
        diffKeys("currency", definition.currencies().keySet(), next.currencies(), definition.currencies(), changes);
        if (!definition.rateCards().equals(next.rateCards())) {
            changes.add("rate cards changed");
        }
        if (!definition.costs().equals(next.costs())) {
            changes.add("costs changed");
        }
    }

    private static <T> void diffKeys(
            String what, java.util.Set<String> before, Map<String, T> after, Map<String, T> old, List<String> out) {
        after.keySet().stream()
                .filter(k -> !before.contains(k))
                .sorted()
                .forEach(k -> out.add(what + " " + k + " added"));
        before.stream().filter(k -> !after.containsKey(k)).sorted().forEach(k -> out.add(what + " " + k + " removed"));
        after.entrySet().stream()
                .filter(e -> before.contains(e.getKey()) && !e.getValue().equals(old.get(e.getKey())))
                .map(Map.Entry::getKey)
                .sorted()
                .forEach(k -> out.add(what + " " + k + " changed"));
    }

    /** The feature with this key in the current catalog. */
    public Optional<Feature> feature(String key) {
        return Optional.ofNullable(definition.features().get(key));
    }

    /** The given version of a plan, current or not. */
    public Optional<PlanVersion> planVersion(String key, int planVersion) {
        List<PlanVersion> versions = planHistory.getOrDefault(key, List.of());
        return planVersion >= 1 && planVersion <= versions.size()
                ? Optional.of(versions.get(planVersion - 1))
                : Optional.empty();
    }

    /** The given version of an add-on, current or not. */
    public Optional<AddonVersion> addonVersion(String key, int addonVersion) {
        List<AddonVersion> versions = addonHistory.getOrDefault(key, List.of());
        return addonVersion >= 1 && addonVersion <= versions.size()
                ? Optional.of(versions.get(addonVersion - 1))
                : Optional.empty();
    }
}
