package dev.tollgate.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The customer token of a publishable key: what the vendor's backend gives its frontend so that the browser may read
 * that one customer, and no other, with the publishable key.
 *
 * <p>Format: the lower-case hex of HMAC-SHA256 of the customer id (UTF-8) under the key's signing secret (the whole
 * {@code tg_ss_...} string, UTF-8): 64 characters. In a shell: {@code printf %s "$CUSTOMER_ID" | openssl dgst -sha256
 * -hmac "$SIGNING_SECRET" | sed 's/^.*= //'}. It does not expire: it names a customer, it does not open a session;
 * revoking the publishable key ends every token of it.
 *
 * <p>Thread-safe: immutable.
 */
public final class CustomerTokens {
    private final String signingSecret;

    /** @param signingSecret the publishable key's signing secret, unsealed */
    CustomerTokens(String signingSecret) {
        this.signingSecret = signingSecret;
    }

    /** The token of {@code customerId}. */
    public static String token(String signingSecret, String customerId) {
        return HexFormat.of().formatHex(Secrets.hmac(signingSecret, customerId));
    }

    /** Whether {@code presented} is the token of {@code customerId}, compared in constant time. */
    public boolean matches(String customerId, @Nullable String presented) {
        if (presented == null) {
            return false;
        }
        byte[] expected = token(signingSecret, customerId).getBytes(StandardCharsets.US_ASCII);
        return Secrets.same(expected, presented.trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "CustomerTokens[signing secret hidden]";
    }
}
