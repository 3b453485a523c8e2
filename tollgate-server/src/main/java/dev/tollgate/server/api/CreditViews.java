package dev.tollgate.server.api;

import static dev.tollgate.core.mapping.Fields.instant;
import static dev.tollgate.core.mapping.Fields.putPresent;

import dev.tollgate.core.api.BalanceView;
import dev.tollgate.core.api.GrantView;
import dev.tollgate.core.api.LedgerLine;
import dev.tollgate.core.api.RefundView;
import dev.tollgate.core.mapping.CreditJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of credits' answers: grants, balances, refunds and ledger lines. A grant and an auto-recharge
 * configuration are written by the shared mapping ({@link CreditJson}), as the journal writes them; an answer adds the
 * figures of the moment (what remains of a grant, its status).
 *
 * <p>Thread-safe: stateless.
 */
final class CreditViews {
    private CreditViews() {}

    /** A grant with what remains of it and its status, laid between its amount and its terms. */
    static Map<String, Object> grant(GrantView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        CreditJson.putGrantAmount(m, v.grant());
        m.put("remaining", v.remaining());
        m.put("status", v.status());
        CreditJson.putGrantTerms(m, v.grant());
        return m;
    }

    static Map<String, Object> balance(BalanceView b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("currency", b.currency());
        m.put("available", b.available());
        m.put("balance", b.balance());
        m.put("held", b.held());
        m.put("overdraft", b.overdraft());
        if (b.autoRecharge() != null) {
            m.put("autoRecharge", CreditJson.autoRecharge(b.autoRecharge()));
        }
        return m;
    }

    static Map<String, Object> refund(RefundView r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("idempotencyKey", r.consumptionKey());
        m.put("currency", r.currency());
        m.put("refunded", r.refunded());
        m.put("forfeited", r.forfeited());
        return m;
    }

    /** The ledger line columns, in order, for JSON and CSV alike. */
    static final List<String> LEDGER_COLUMNS = List.of(
            "seq",
            "time",
            "type",
            "currency",
            "grantId",
            "amount",
            "balanceAfter",
            "idempotencyKey",
            "source",
            "costBasis",
            "feature",
            "quantity",
            "scope",
            "dimensions");

    static Map<String, Object> ledgerLine(LedgerLine l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", l.seq());
        m.put("time", instant(l.time()));
        m.put("type", l.type().name());
        m.put("currency", l.currency());
        putPresent(m, "grantId", l.grantId());
        m.put("amount", l.amount());
        m.put("balanceAfter", l.balanceAfter());
        putPresent(m, "idempotencyKey", l.idempotencyKey());
        putPresent(m, "source", l.source());
        putPresent(m, "costBasis", l.costBasis());
        putPresent(m, "feature", l.feature());
        putPresent(m, "quantity", l.quantity());
        putPresent(m, "scope", l.scope());
        if (!l.dimensions().isEmpty()) {
            m.put("dimensions", new TreeMap<String, Object>(l.dimensions()));
        }
        return m;
    }
}
