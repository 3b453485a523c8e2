package dev.tollgate.core.credit;

/** The kinds of ledger entries. */
public enum EntryType {
    /** Credits arrive: a grant's full amount. */
    GRANT,
    /** Credits are spent by a consumption or a reported event: one entry per grant touched, and one for overdraft. */
    CONSUME,
    /** A grant's remainder stops counting at its {@code expiresAt}. */
    EXPIRE,
    /** A grant's remainder is withdrawn. */
    VOID,
    /** A consumption's credits go back to the grants they came from (not to expired or voided ones). */
    REFUND,
    /** A new grant pays back overdraft: one entry taking from the grant, one reducing the overdraft. */
    OVERDRAFT_REPAID
}
