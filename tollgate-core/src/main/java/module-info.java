/**
 * Tollgate's core: the pure domain (no I/O, no wall clock, exact decimals) behind one API.
 *
 * <p>Exported: the facade ({@code engine}: {@link dev.tollgate.core.engine.Engine}, {@link
 * dev.tollgate.core.engine.Verifier}), its requests and answers ({@code api}), the value types the answers carry
 * ({@code alert}, {@code budget}, {@code catalog}, {@code credit}, {@code customer}, {@code decision}, {@code
 * entitlement}, {@code period}, {@code session}, and the root package's errors and limits), and what a store
 * implements and reads: the storage SPI ({@code store}), the journal's records and their codec ({@code journal}),
 * the JSON tree model ({@code json}), the one mapping of records to it that the journal and the API's answers share
 * ({@code mapping}) and the group commit's listener ({@code commit}).
 *
 * <p>Not exported: every {@code ...internal} package: the engine's capabilities and customer state ({@code
 * engine.internal}) and the rules they apply (credits: burn order, charging, refunds, housekeeping, pricing; the
 * budget walk; the entitlement resolution; the calendar of periods). See {@code docs/internals/engine.md}.
 */
module dev.tollgate.core {
    requires static transitive org.jspecify;

    exports dev.tollgate.core;
    exports dev.tollgate.core.alert;
    exports dev.tollgate.core.api;
    exports dev.tollgate.core.billing;
    exports dev.tollgate.core.budget;
    exports dev.tollgate.core.catalog;
    exports dev.tollgate.core.cluster;
    exports dev.tollgate.core.commit;
    exports dev.tollgate.core.credit;
    exports dev.tollgate.core.customer;
    exports dev.tollgate.core.decision;
    exports dev.tollgate.core.engine;
    exports dev.tollgate.core.entitlement;
    exports dev.tollgate.core.journal;
    exports dev.tollgate.core.json;
    exports dev.tollgate.core.mapping;
    exports dev.tollgate.core.period;
    exports dev.tollgate.core.session;
    exports dev.tollgate.core.store;
}
