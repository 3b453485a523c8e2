package dev.tollgate.server.sidecar;

import dev.tollgate.client.BoundBy;
import dev.tollgate.client.Decision;
import dev.tollgate.client.Session;
import dev.tollgate.client.SessionRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's answers as the server's JSON ({@code API.md}): a decision field for field and in the server's order
 * ({@code DecisionJson}'s answer form), plus {@code source}; a session with the fields the SDK carries.
 *
 * <p>Thread-safe: stateless.
 */
final class SidecarViews {
    private SidecarViews() {}

    /** A check's or consume's answer: a new, mutable tree. {@code recorded} is there exactly when the SDK gave it. */
    static Map<String, Object> decision(Decision d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", d.allowed());
        putPresent(m, "reason", d.reason());
        if (d.boundBy() != null) {
            m.put("boundBy", boundBy(d.boundBy()));
        }
        putPresent(m, "limit", d.limit());
        m.put("used", d.used());
        m.put("held", d.held());
        putPresent(m, "remaining", d.remaining());
        m.put("unlimited", d.unlimited());
        m.put("overage", d.overage());
        if (d.overageQuantity() != null && d.overageQuantity().signum() != 0) {
            m.put("overageQuantity", d.overageQuantity());
        }
        putPresent(m, "resetsAt", d.resetsAt() == null ? null : d.resetsAt().toString());
        putPresent(m, "value", d.value());
        putPresent(m, "currency", d.currency());
        putPresent(m, "credits", d.credits());
        putPresent(m, "balance", d.balance());
        putPresent(m, "recorded", d.recorded());
        m.put("source", d.source().name().toLowerCase(Locale.ROOT));
        return m;
    }

    private static Map<String, Object> boundBy(BoundBy b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", b.kind());
        putPresent(m, "feature", b.feature());
        putPresent(m, "currency", b.currency());
        putPresent(m, "scope", b.scope());
        putPresent(m, "budget", b.budget());
        putPresent(m, "session", b.session());
        return m;
    }

    /**
     * A session opened or refused ({@code opened}), with what it holds from {@code asked}.
     *
     * @param asked the request, for the hold's scope, feature or currency, which the SDK's answer does not repeat
     */
    static Map<String, Object> opened(Session s, SessionRequest asked) {
        if (!s.opened()) {
            Map<String, Object> m = decision(java.util.Objects.requireNonNull(s.refusal()));
            m.remove("source");
            m.put("opened", false);
            return m;
        }
        Map<String, Object> m = session(s, asked);
        m.put("opened", true);
        return m;
    }

    /** A session as the server answered it (a close), with the hold's names when known. */
    static Map<String, Object> session(Session s, @Nullable SessionRequest asked) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessionId", s.sessionId());
        m.put("customerId", s.customerId());
        m.put("status", s.status());
        if (asked != null) {
            putPresent(m, "scope", asked.scope());
            putPresent(m, "currency", asked.currency());
            putPresent(m, "feature", asked.feature());
        }
        m.put("amount", s.amount());
        m.put("consumed", s.consumed());
        m.put("held", s.held());
        m.put("overage", s.overage());
        putPresent(m, "excess", s.excess());
        putPresent(m, "expiresAt", s.expiresAt() == null ? null : s.expiresAt().toString());
        return m;
    }

    private static void putPresent(Map<String, Object> m, String field, @Nullable Object value) {
        if (value != null) {
            m.put(field, value);
        }
    }
}
