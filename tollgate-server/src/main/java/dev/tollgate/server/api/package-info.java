/**
 * The API of {@code API.md}: {@code HttpApi} (the dispatch of a request to its route, errors), the
 * route families, one per capability of the engine, each beside the JSON of its answers:
 *
 * <ul>
 *   <li>{@code OperationsRoutes}: {@code /health}, {@code /ready}, {@code /metrics}
 *   <li>{@code CatalogRoutes}, {@code CatalogViews}: {@code /v1/catalog...}
 *   <li>{@code CustomerRoutes}, {@code CustomerViews}: customers, subscriptions, promotions, entitlements
 *   <li>{@code MeteringRoutes}, {@code MeteringViews}: {@code /v1/check}, {@code /v1/consume}, {@code /v1/events}
 *   <li>{@code CreditRoutes}, {@code CreditViews}: grants, balance, ledger, refunds, auto-recharge
 *   <li>{@code GovernanceRoutes}, {@code GovernanceViews}: scopes, budgets, usage, sessions
 *   <li>{@code AlertRoutes}, {@code AlertViews}: webhooks, the event log
 * </ul>
 *
 * <p>The views write the values the journal stores too (a decision, a grant, a subscription...) through the one
 * mapping of {@code dev.tollgate.core.mapping}, in its answer form, adding only what an answer alone has. Keys and
 * portal sessions ({@code KeyRoutes}, {@code PortalRoutes}, {@code PublicRoutes}, {@code PortalAccess}) are made here;
 * who may call what is {@code auth}'s.
 */
@NullMarked
package dev.tollgate.server.api;

import org.jspecify.annotations.NullMarked;
