package dev.tollgate.server.api;

import dev.tollgate.core.decision.Decision;
import dev.tollgate.core.mapping.DecisionJson;
import dev.tollgate.core.mapping.Form;
import java.util.Map;

/**
 * The JSON of a check's or a consumption's {@link Decision} ({@code API.md}): the shared mapping's
 * {@link Form#ANSWER} form ({@link DecisionJson}), which the journal writes in its own form. A write's route adds
 * {@code recorded}.
 *
 * <p>Thread-safe: stateless.
 */
final class MeteringViews {
    private MeteringViews() {}

    /** The decision as answered: a new, mutable tree, so that a route may add to it. */
    static Map<String, Object> decision(Decision d) {
        return DecisionJson.decision(d, Form.ANSWER);
    }
}
