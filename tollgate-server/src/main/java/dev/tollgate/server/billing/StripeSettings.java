package dev.tollgate.server.billing;

import org.jspecify.annotations.Nullable;

/**
 * How to reach Stripe ({@code --stripe-api-key}, {@code --stripe-base-url}, {@code --stripe-currency}).
 *
 * @param apiKey the secret key; {@code null}: the exporter does not run
 * @param baseUrl where Stripe's API is ({@code https://api.stripe.com}; a local fake in tests)
 * @param currency the ISO 4217 currency of the recharges' cost basis, lower-case, as invoice items carry it
 */
public record StripeSettings(@Nullable String apiKey, String baseUrl, String currency) {
    /** Stripe's API. */
    public static final String DEFAULT_BASE_URL = "https://api.stripe.com";

    /** The exporter off. */
    public static final StripeSettings OFF = new StripeSettings(null, DEFAULT_BASE_URL, "usd");

    public StripeSettings {
        if (!baseUrl.matches("https?://[^/?#\\s]+/?")) {
            throw new IllegalArgumentException("stripeBaseUrl must be http(s)://host[:port], was '" + baseUrl + "'");
        }
        if (!currency.matches("[a-z]{3}")) {
            throw new IllegalArgumentException(
                    "stripeCurrency must be three lower-case letters (usd), was '" + currency + "'");
        }
        try {
            java.util.Currency.getInstance(currency.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stripeCurrency is not an ISO 4217 currency: '" + currency + "'", e);
        }
    }

    /** Whether the exporter runs. */
    public boolean enabled() {
        return apiKey != null;
    }
}
