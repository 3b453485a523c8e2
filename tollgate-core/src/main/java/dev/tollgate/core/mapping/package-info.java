/**
 * One mapping of records to JSON trees ({@link dev.tollgate.core.json.Json}'s model), shared by the journal's payloads
 * ({@code journal/JournalCodec}) and the API's answers (the server's views): a decision, a grant, a subscription, a
 * promotion, a scope, a budget, a session, a webhook, auto-recharge and a catalog's origin are each written here once.
 *
 * <p>Where the two forms differ on purpose, the writer takes a {@link dev.tollgate.core.mapping.Form} and the
 * difference is spelled out beside the field (the journal leaves defaults out and names enums as stored; the answers
 * follow {@code API.md}). What only one side has is added by that side: the journal's internal fields (a webhook's
 * secret, a session's id), the answers' figures of the moment (a grant's remaining credits, a budget's usage). Both
 * sides are pinned to the byte by {@code JournalFormatTest} and the server's {@code AnswerFormatTest}.
 *
 * <p>Only writers live here: reading a payload back is the journal's alone.
 */
@NullMarked
package dev.tollgate.core.mapping;

import org.jspecify.annotations.NullMarked;
