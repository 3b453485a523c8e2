package dev.tollgate.core.api;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * What a priced metered feature costs, as a customer's entitlements show it.
 *
 * @param currency the currency its rate card charges
 * @param unitPrice credits per unit when every consumption costs the same per unit (a flat rate card: no tiers, no
 *     rates by dimension, an exact {@code rate / per}), else {@code null}: the price depends on the period's usage or
 *     on dimensions. A session can fix ({@code quote}) only a price that has one.
 */
public record PriceView(String currency, @Nullable BigDecimal unitPrice) {}
