package dev.tollgate.core.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A pricing what-if ({@code POST /v1/what-if}): the recorded requests of a range replayed against a draft catalog.
 *
 * @param draft the draft catalog document, in the {@link dev.tollgate.core.json.Json} tree model, validated as {@code
 *     PUT /v1/catalog} validates a catalog
 * @param from inclusive: requests recorded from then
 * @param to exclusive
 * @param customers only these customers, or {@code null} for every customer
 * @param plans a plan key of the recorded subscriptions to the draft's plan its customers move to, or to {@code
 *     null} for none (they have no plan in the replay); a plan of the same key in the draft needs no entry
 * @param sample how many refused requests the answer lists at most
 */
public record WhatIfRequest(
        @Nullable Object draft,
        Instant from,
        Instant to,
        @Nullable List<String> customers,
        Map<String, @Nullable String> plans,
        int sample) {}
