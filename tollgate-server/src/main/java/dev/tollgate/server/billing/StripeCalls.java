package dev.tollgate.server.billing;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import dev.tollgate.core.billing.ExportItem;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Objects;

/**
 * Sends one outbox item to Stripe with the official client ({@code com.stripe:stripe-java}) pointed at the configured
 * base URL, and says what became of it.
 *
 * <ul>
 *   <li>A meter event ({@code POST /v1/billing/meter_events}): {@code event_name} the feature key, {@code
 *       payload[stripe_customer_id]}, {@code payload[value]} the quantity used, {@code timestamp} the last second of the
 *       period, {@code identifier} the item's key (Stripe refuses a second event with it).
 *   <li>An invoice item ({@code POST /v1/invoiceitems}): the recharge's charge as {@code unit_amount_decimal} in the
 *       currency's minor unit (exact, up to 12 decimals) with {@code quantity=1}, a description and metadata naming the
 *       grant.
 * </ul>
 *
 * <p>Both carry the item's key as {@code Idempotency-Key}, so that a send repeated after a crash (between Stripe's
 * answer and the outbox's record of it) is answered with the first answer and creates nothing.
 *
 * <p>Outcomes: a 2xx is {@link Outcome#sent}; a 429, a 5xx or no answer (a network error, a timeout) may pass and is
 * retried; any other 4xx is final ({@link Outcome.Kind#REFUSED}) with Stripe's message.
 *
 * <p>Thread-safe: the client is.
 */
final class StripeCalls {
    private final StripeClient client;
    private final String currency;

    StripeCalls(StripeSettings settings) {
        this.client = StripeClient.builder()
                .setApiKey(Objects.requireNonNull(settings.apiKey(), "the exporter runs with a key"))
                .setApiBase(settings.baseUrl().replaceAll("/$", ""))
                .setMaxNetworkRetries(0) // the outbox retries, with back-off, across restarts
                .setConnectTimeout(5_000)
                .setReadTimeout(30_000)
                .build();
        this.currency = settings.currency();
    }

    /** What became of a send. */
    record Outcome(Kind kind, String detail) {
        enum Kind {
            SENT,
            RETRY,
            REFUSED
        }

        static Outcome sent(String detail) {
            return new Outcome(Kind.SENT, detail);
        }
    }

    /** Sends {@code item} for the Stripe customer {@code stripeCustomer}. Never throws for what Stripe answers. */
    Outcome send(ExportItem item, String stripeCustomer) {
        RequestOptions options =
                RequestOptions.builder().setIdempotencyKey(item.key()).build();
        try {
            if (item.kind() == ExportItem.Kind.METER_EVENT) {
                MeterEventCreateParams params = MeterEventCreateParams.builder()
                        .setEventName(item.field("feature"))
                        .putPayload("stripe_customer_id", stripeCustomer)
                        .putPayload("value", item.field("used"))
                        .setIdentifier(item.key())
                        .setTimestamp(Instant.parse(item.field("periodEnd")).getEpochSecond() - 1)
                        .build();
                client.v1().billing().meterEvents().create(params, options);
                return Outcome.sent(item.key());
            }
            InvoiceItemCreateParams params = InvoiceItemCreateParams.builder()
                    .setCustomer(stripeCustomer)
                    .setCurrency(currency)
                    .setUnitAmountDecimal(minorUnits(new BigDecimal(item.field("charge"))))
                    .setQuantity(1L)
                    .setDescription("Auto-recharge: " + item.field("amount") + " " + item.field("currency") + " at "
                            + item.field("costBasis") + " " + currency.toUpperCase(java.util.Locale.ROOT) + " each")
                    .putMetadata("tollgate_customer_id", item.customerId())
                    .putMetadata("tollgate_grant_id", item.field("grantId"))
                    .putMetadata("tollgate_period", item.period())
                    .build();
            return Outcome.sent(
                    client.v1().invoiceItems().create(params, options).getId());
        } catch (StripeException e) {
            Integer status = e.getStatusCode();
            String detail = (status == null ? "no answer" : "HTTP " + status) + ": " + e.getMessage();
            boolean passes = status == null || status == 429 || status >= 500;
            return new Outcome(passes ? Outcome.Kind.RETRY : Outcome.Kind.REFUSED, detail);
        }
    }

    /** An amount of money in the currency's minor unit (cents), exact, at most 12 decimals as Stripe takes. */
    BigDecimal minorUnits(BigDecimal amount) {
        int digits = java.util.Currency.getInstance(currency.toUpperCase(java.util.Locale.ROOT))
                .getDefaultFractionDigits();
        BigDecimal minor = amount.movePointRight(Math.max(0, digits));
        minor = minor.scale() > 12 ? minor.setScale(12, RoundingMode.HALF_EVEN) : minor;
        if (minor.signum() <= 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal stripped = minor.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
