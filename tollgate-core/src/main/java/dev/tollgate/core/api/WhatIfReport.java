package dev.tollgate.core.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a range of recorded requests did ({@code before}, as the journal recorded it) and would have done under a draft
 * catalog ({@code after}), per customer and in total ({@code POST /v1/what-if}).
 *
 * @param from inclusive
 * @param to exclusive
 * @param baseVersion the catalog version the draft was laid over (its plan versions continue from there)
 * @param customers one per customer with a request in the range (or named in the request), by id
 * @param total every customer's outcome summed, without a customer id
 * @param refused the requests refused after the replay: how many, and the first of them, those it newly refuses
 *     first
 * @param droppedAddons add-ons of the recorded subscriptions that the draft lacks, with how many customers had them:
 *     the replay counts nothing of them
 */
public record WhatIfReport(
        Instant from,
        Instant to,
        int baseVersion,
        List<CustomerOutcome> customers,
        CustomerOutcome total,
        RefusedSample refused,
        Map<String, Integer> droppedAddons) {

    /**
     * One customer's requests before and after.
     *
     * @param customerId the customer, or {@code null} in the total
     * @param requests how many requests were replayed (consumes, refused consumes, reported events)
     * @param before as recorded
     * @param after under the draft
     * @param newlyRefused requests admitted as recorded and refused under the draft
     * @param newlyAdmitted requests refused as recorded and admitted under the draft
     */
    public record CustomerOutcome(
            @Nullable String customerId,
            long requests,
            Side before,
            Side after,
            long newlyRefused,
            long newlyAdmitted) {}

    /**
     * The figures of one side.
     *
     * @param admitted requests admitted (consumes) or accepted (events)
     * @param refused requests refused (consumes) or rejected (events)
     * @param refusedBy refused requests by reason
     * @param features per feature: the quantity admitted and its overage
     * @param credits credits charged, by currency
     */
    public record Side(
            long admitted,
            long refused,
            Map<String, Long> refusedBy,
            Map<String, FeatureUse> features,
            Map<String, BigDecimal> credits) {}

    /**
     * A feature's admitted usage.
     *
     * @param quantity units admitted
     * @param overage the part of them beyond the limit
     */
    public record FeatureUse(BigDecimal quantity, BigDecimal overage) {}

    /**
     * A request the draft refuses.
     *
     * @param customerId its customer
     * @param idempotencyKey its key, as recorded
     * @param at when it was recorded
     * @param feature its feature
     * @param quantity its quantity
     * @param reason why the draft refuses it
     * @param recordedReason why it was refused as recorded, or {@code null} if it was admitted
     */
    public record Refusal(
            String customerId,
            String idempotencyKey,
            Instant at,
            String feature,
            BigDecimal quantity,
            String reason,
            @Nullable String recordedReason) {}

    /**
     * The refused requests after the replay.
     *
     * @param count how many in all
     * @param newly how many of them were admitted as recorded
     * @param sample at most the request's {@code sample} of them, newly refused ones first, each in replay order
     */
    public record RefusedSample(long count, long newly, List<Refusal> sample) {}
}
